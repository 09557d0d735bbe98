package io.github.pullthroughcache.network;

import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.ServiceRole;
import java.util.List;
import software.amazon.awscdk.services.ec2.FlowLog;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogResourceType;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * A flow log to CloudWatch Logs whose role has one managed policy (the L2 would give it an inline one): children
 * {@code Logs}, {@code CustomRole}, {@code CustomRolePolicy} and {@code Resource} of the scope given.
 */
final class FlowLogs {

    private FlowLogs() {
    }

    /**
     * @param scope the construct that holds the flow log's children
     * @param resource what is logged
     * @param traffic which traffic
     * @param retention how long records are kept
     * @param what what is logged, for the role's descriptions, such as "the temporary NAT gateway's subnet"
     * @return the log group
     */
    static LogGroup create(Construct scope, FlowLogResourceType resource, FlowLogTrafficType traffic,
            RetentionDays retention, String what) {
        LogGroup logs = LogGroup.Builder.create(scope, "Logs").retention(retention).build();
        NagAcknowledgements.acknowledge(logs, "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
                "Flow log records hold addresses, ports and byte counts, no payload; CloudWatch Logs encrypts them "
                        + "at rest with its own key.");
        ServiceRole role = ServiceRole.builder(scope, "vpc-flow-logs.amazonaws.com")
                .descriptions("Assumed by VPC Flow Logs to write the flow log of " + what,
                        "What VPC Flow Logs needs to write the flow log of " + what)
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("WriteFlowLog")
                        .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
                        .resources(List.of(logs.getLogGroupArn()))
                        .build()))
                .create();
        FlowLog flowLog = FlowLog.Builder.create(scope, "Resource")
                .resourceType(resource)
                // the role's permissions are its managed policy: no inline policy from the flow log
                .destination(FlowLogDestination.toCloudWatchLogs(logs, role.role().withoutPolicyUpdates()))
                .trafficType(traffic)
                .build();
        flowLog.getNode().addDependency(role.policy());
        return logs;
    }
}
