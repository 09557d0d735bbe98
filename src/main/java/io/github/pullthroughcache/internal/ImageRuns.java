package io.github.pullthroughcache.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.TimeWindow;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.constructs.Construct;

/**
 * What the constructs whose function runs over a list of images (the cache warmer, the image copier: handlers built on
 * {@code handlers/shared/image-run.js}) create alike: the SSM parameter where a run keeps what it deferred, the policy
 * that lets a run hand its rest to a new invocation, and the schedule. Internal: not part of the public API.
 */
public final class ImageRuns {

    private ImageRuns() {
    }

    /**
     * @param owner the construct whose function keeps the list
     * @return the name of its parameter without the leading slash, {@code pull-through-cache/<stack>/<owner>/deferred}
     */
    public static String deferredParameterPath(Construct owner) {
        return "pull-through-cache/" + Aws.STACK_NAME + "/" + ConstructIds.owner(owner) + "/deferred";
    }

    /**
     * @param stack the stack
     * @param path a parameter name without its leading slash
     * @return the parameter's ARN
     */
    public static String parameterArn(Stack stack, String path) {
        return stack.formatArn(ArnComponents.builder()
                .service("ssm")
                .resource("parameter")
                .resourceName(path)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    /**
     * The policy (child {@code ContinuationPolicy}) that lets the function invoke itself: apart from the role's own
     * policy, since the function waits for that one and this one names the function.
     *
     * @param owner the construct
     * @param what what the owner is, for the description, such as {@code cache warmer}
     * @param function its function
     * @param role the function's role
     * @return the policy, which the owner's custom resource should wait for
     */
    public static ManagedPolicy continuationPolicy(Construct owner, String what, Function function, IRole role) {
        return ManagedPolicy.Builder.create(owner, "ContinuationPolicy")
                .description("Lets " + what + " " + owner.getNode().getPath() + " hand the rest of a run to a new invocation")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("ContinueRun")
                        .actions(List.of("lambda:InvokeFunction"))
                        .resources(List.of(function.getFunctionArn()))
                        .build()))
                .roles(List.of(role))
                .build();
    }

    /**
     * The schedule (child {@code Schedule}, an aws-scheduler {@code Schedule}, with {@code ScheduleRole} and
     * {@code SchedulePolicy}) that runs the function on the settings of a run; a failed run is not retried, the next
     * one takes it up. The role is the owner's own: the one a {@link LambdaInvoke} target makes by itself gets
     * {@code lambda:InvokeFunction} on the function and on {@code <function>:*} in an inline policy, which NIST 800-53
     * R5 (no inline policies) and AwsSolutions-IAM5 (wildcard) refuse. The target is handed the role without policy
     * updates, so that its grant adds nothing to what the managed policy allows.
     *
     * @param owner the construct
     * @param what what the owner is, for descriptions, such as {@code cache warmer}
     * @param sid the Sid of the schedule role's statement
     * @param description the schedule's description
     * @param function its function
     * @param expression when
     * @param settings the run's input
     * @return the schedule
     */
    public static Schedule schedule(Construct owner, String what, String sid, String description, Function function,
            ScheduleExpression expression, Map<String, Object> settings) {
        ServiceRole role = ServiceRole.builder(owner, "scheduler.amazonaws.com")
                .ids("ScheduleRole", "SchedulePolicy")
                .descriptions("Invokes " + what + " " + owner.getNode().getPath() + " on its schedule",
                        "Invokes the " + what + "'s function only")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid(sid)
                        .actions(List.of("lambda:InvokeFunction"))
                        .resources(List.of(function.getFunctionArn()))
                        .build()))
                .create();
        Schedule created = Schedule.Builder.create(owner, "Schedule")
                .description(description)
                .schedule(expression)
                .timeWindow(TimeWindow.off())
                .target(LambdaInvoke.Builder.create(function)
                        .role(role.role().withoutPolicyUpdates())
                        .input(ScheduleTargetInput.fromText(Stack.of(owner).toJsonString(settings)))
                        // a run that fails is taken up by the next one
                        .retryAttempts(0)
                        .build())
                .build();
        created.getNode().addDependency(role.policy());
        return created;
    }

    /**
     * A count of a run's settings, such as its concurrency.
     *
     * @param property the setting, for the message, such as {@code CacheWarmerProps.concurrency}
     * @param given the value, or {@code null} for the default, 4
     * @param max the highest value accepted
     * @return the count
     * @throws IllegalArgumentException when the value is not a whole number from 1 to max
     */
    public static int count(String property, Number given, int max) {
        if (given == null) {
            return 4;
        }
        double value = given.doubleValue();
        if (value != Math.rint(value) || value < 1 || value > max) {
            throw new IllegalArgumentException(property + " " + given + " is invalid: expected a whole number from 1 to "
                    + max);
        }
        return (int) value;
    }

    /**
     * {@code ecr:TagResource} for a run's role, limited to the tag keys of the creation templates of the repositories
     * its first pull or push creates: ECR creates such a repository as the caller, tags included. One statement
     * ({@code TagOnCreate}), made with the first template that tags.
     */
    public static final class TagOnCreate {
        private final ManagedPolicy policy;
        private final Set<String> keys = new TreeSet<>();
        private PolicyStatement statement;

        /** @param policy the role's policy, which gets the statement */
        public TagOnCreate(ManagedPolicy policy) {
            this.policy = policy;
        }

        /**
         * @param repositories the repositories' ARN pattern
         * @param tagKeys the keys their creation template tags with; none adds nothing
         */
        public void allow(String repositories, Set<String> tagKeys) {
            if (tagKeys.isEmpty()) {
                return;
            }
            if (statement == null) {
                statement = PolicyStatement.Builder.create()
                        .sid("TagOnCreate")
                        .actions(List.of("ecr:TagResource"))
                        .conditions(Map.of("ForAllValues:StringEquals",
                                Map.of("aws:TagKeys", Lazy.list(() -> List.copyOf(keys)))))
                        .build();
                policy.addStatements(statement);
            }
            statement.addResources(repositories);
            keys.addAll(tagKeys);
        }
    }
}
