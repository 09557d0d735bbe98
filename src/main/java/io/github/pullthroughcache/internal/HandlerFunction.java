package io.github.pullthroughcache.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
     * @param scope the construct the function serves
     * @param handler the handler's folder under {@code handlers/}, such as {@code registry-policy}
     * @return a builder of the function
     */
    public static Builder builder(Construct scope, String handler) {
        return new Builder(scope, handler);
    }

    /** Names what differs from one handler to another, one setting at a time. */
    public static final class Builder {
        private final Construct scope;
        private final String handler;
        /** The role's settings, but for the log group's statement, which exists only once the function is made. */
        private final ServiceRole.Builder role;
        private String description;
        private List<PolicyStatement> statements = List.of();
        private Duration timeout = Duration.minutes(2);
        private int memoryMb = 256;
        private RetentionDays logRetention = RetentionDays.ONE_YEAR;
        private String whenInvoked;
        private String whyNoDeadLetterQueue;
        private String whatItLogs;

        private Builder(Construct scope, String handler) {
            this.scope = scope;
            this.handler = handler;
            this.role = ServiceRole.builder(scope, "lambda.amazonaws.com").ids("HandlerRole", "HandlerPolicy");
        }

        /**
         * @param description the function's and the role's description
         * @param policyDescription the managed policy's description
         * @return this builder
         */
        public Builder descriptions(String description, String policyDescription) {
            this.description = description;
            role.descriptions(description, policyDescription);
            return this;
        }

        /**
         * @param statements the handler's permissions, without its log group's
         * @return this builder
         */
        public Builder statements(List<PolicyStatement> statements) {
            this.statements = statements;
            return this;
        }

        /**
         * @param reason why the wildcard resources among the statements are needed
         * @param resources those resources, as written in the statements ({@code *}, {@code .../quay/*})
         * @return this builder
         */
        public Builder wildcards(String reason, List<String> resources) {
            role.wildcards(reason, resources);
            return this;
        }

        /**
         * @param timeout the function's timeout (default two minutes)
         * @param memoryMb its memory (default 256 MB)
         * @return this builder
         */
        public Builder limits(Duration timeout, int memoryMb) {
            this.timeout = timeout;
            this.memoryMb = memoryMb;
            return this;
        }

        /**
         * @param logRetention how long its logs are kept (default a year)
         * @return this builder
         */
        public Builder logRetention(RetentionDays logRetention) {
            if (logRetention != null) {
                this.logRetention = logRetention;
            }
            return this;
        }

        /**
         * The reasons of the function's cdk-nag acknowledgements.
         *
         * @param whenInvoked when the function runs, for the concurrency acknowledgement
         * @param whyNoDeadLetterQueue why a failed invocation needs no dead-letter queue
         * @param whatItLogs what the log holds, for the log-encryption acknowledgement
         * @return this builder
         */
        public Builder reasons(String whenInvoked, String whyNoDeadLetterQueue, String whatItLogs) {
            this.whenInvoked = whenInvoked;
            this.whyNoDeadLetterQueue = whyNoDeadLetterQueue;
            this.whatItLogs = whatItLogs;
            return this;
        }

        /** @return the function, its role and its log group, created */
        public HandlerFunction create() {
            Objects.requireNonNull(whenInvoked, "reasons");
            LogGroup logs = LogGroup.Builder.create(scope, "HandlerLogs").retention(logRetention).build();
            List<PolicyStatement> all = new ArrayList<>(statements);
            all.add(PolicyStatement.Builder.create()
                    .sid("Logs")
                    .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                    .resources(List.of(logs.getLogGroupArn()))
                    .build());
            ServiceRole role = this.role.statements(all).create();
            Function function = Function.Builder.create(scope, "Handler")
                    .runtime(Runtime.NODEJS_22_X)
                    .handler(HandlerCode.handler(handler))
                    .code(HandlerCode.of(handler))
                    .role(role.role())
                    .logGroup(logs)
                    .timeout(timeout)
                    .memorySize(memoryMb)
                    .description(description)
                    .build();
            // the function must not run before its permissions exist
            function.getNode().addDependency(role.policy());
            NagAcknowledgements.acknowledge(function, "AwsSolutions-L1", "The handler is written and tested for "
                    + "Node.js 22, whose runtime provides the AWS SDK v3 it uses.");
            NagAcknowledgements.acknowledge(function, "NIST.800.53.R5-LambdaConcurrency", whenInvoked
                    + " Reserving concurrency would take capacity from the account for nothing.");
            NagAcknowledgements.acknowledge(function, "NIST.800.53.R5-LambdaDLQ", whyNoDeadLetterQueue);
            NagAcknowledgements.acknowledge(function, "NIST.800.53.R5-LambdaInsideVPC", "The handler calls only "
                    + "AWS APIs and registry endpoints on the internet; outside a VPC it needs no endpoint or NAT to "
                    + "reach them.");
            NagAcknowledgements.acknowledge(logs, "NIST.800.53.R5-CloudWatchLogGroupEncrypted", whatItLogs
                    + " CloudWatch Logs encrypts it at rest with its own key.");
            return new HandlerFunction(function, role, logs);
        }
    }
}
