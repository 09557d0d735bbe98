package io.github.pullthroughcache.internal;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * A Lambda function running one of the library's handlers, as every construct that needs one builds it: children
 * {@code HandlerLogs} (its log group), {@code HandlerRole} and {@code HandlerPolicy} (a managed policy, since
 * NIST 800-53 R5 asks for no inline policies) and {@code Handler}, outside any VPC, Node.js 22, with the
 * cdk-nag acknowledgements such a function needs. Internal: not part of the public API.
 *
 * @param function the function
 * @param role its role
 * @param logs its log group
 */
public record HandlerFunction(Function function, ServiceRole role, LogGroup logs) {

    /**
     * What differs from one handler to another.
     *
     * @param handler the handler's folder under {@code handlers/}
     * @param description the function's and the role's description
     * @param policyDescription the managed policy's description
     * @param statements the handler's permissions, without its log group's
     * @param wildcardReason why the wildcard resources among them are needed
     * @param wildcardResources those resources, as written in the statements ({@code *}, {@code .../quay/*})
     * @param timeout the function's timeout
     * @param memoryMb the function's memory
     * @param logRetention how long its logs are kept
     * @param whenInvoked when the function runs, for the concurrency acknowledgement
     * @param whyNoDeadLetterQueue why a failed invocation needs no dead-letter queue
     * @param whatItLogs what the log holds, for the log-encryption acknowledgement
     */
    public record Spec(String handler, String description, String policyDescription, List<PolicyStatement> statements,
            String wildcardReason, List<String> wildcardResources, Duration timeout, int memoryMb, RetentionDays logRetention, String whenInvoked,
            String whyNoDeadLetterQueue, String whatItLogs) {
    }

    /**
     * @param scope the construct the function serves
     * @param spec what the function is
     * @return the function, its role and its log group
     */
    public static HandlerFunction create(Construct scope, Spec spec) {
        LogGroup logs = LogGroup.Builder.create(scope, "HandlerLogs").retention(spec.logRetention()).build();
        List<PolicyStatement> statements = new ArrayList<>(spec.statements());
        statements.add(PolicyStatement.Builder.create()
                .sid("Logs")
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn()))
                .build());
        ServiceRole role = ServiceRole.create(scope, "HandlerRole", "HandlerPolicy", "lambda.amazonaws.com",
                spec.description(), spec.policyDescription(), statements, spec.wildcardReason(),
                spec.wildcardResources());
        Function function = Function.Builder.create(scope, "Handler")
                .runtime(Runtime.NODEJS_22_X)
                .handler(HandlerCode.handler(spec.handler()))
                .code(HandlerCode.of(spec.handler()))
                .role(role.role())
                .logGroup(logs)
                .timeout(spec.timeout())
                .memorySize(spec.memoryMb())
                .description(spec.description())
                .build();
        // the function must not run before its permissions exist
        function.getNode().addDependency(role.policy());
        NagAcknowledgements.acknowledge(function, "AwsSolutions-L1", "The handler is written and tested for "
                + "Node.js 22, whose runtime provides the AWS SDK v3 it uses.");
        NagAcknowledgements.acknowledge(function, "NIST.800.53.R5-LambdaConcurrency", spec.whenInvoked()
                + " Reserving concurrency would take capacity from the account for nothing.");
        NagAcknowledgements.acknowledge(function, "NIST.800.53.R5-LambdaDLQ",
                spec.whyNoDeadLetterQueue());
        NagAcknowledgements.acknowledge(function, "NIST.800.53.R5-LambdaInsideVPC", "The handler calls only "
                + "AWS APIs and registry endpoints on the internet; outside a VPC it needs no endpoint or NAT to "
                + "reach them.");
        NagAcknowledgements.acknowledge(logs, "NIST.800.53.R5-CloudWatchLogGroupEncrypted", spec.whatItLogs()
                + " CloudWatch Logs encrypts it at rest with its own key.");
        return new HandlerFunction(function, role, logs);
    }
}
