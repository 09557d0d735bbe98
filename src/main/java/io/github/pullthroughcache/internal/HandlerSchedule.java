package io.github.pullthroughcache.internal;

import java.util.List;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.targets.LambdaInvoke;
import software.amazon.awscdk.services.scheduler.targets.ScheduleTargetBaseProps;
import software.constructs.Construct;

/**
 * An EventBridge Scheduler schedule (child {@code Schedule}, the aws-scheduler L2) that invokes a handler function
 * with a fixed input, through a role of its own ({@code ScheduleRole}) whose one permission is in a managed policy
 * ({@code SchedulePolicy}): NIST 800-53 R5 asks for no inline policies, so the target's own grant is dropped
 * ({@code withoutPolicyUpdates}). EventBridge Scheduler rather than an events Rule: a rule counts against the
 * default bus's 300 rules and retries for 24 hours by default, a schedule has neither, and the library's warmer
 * already runs on one. A failed run is not retried: the next one does the work. Internal: not part of the public API.
 */
public final class HandlerSchedule {

    private HandlerSchedule() {
    }

    /**
     * @param scope the construct the schedule serves
     * @param function the handler function
     * @param expression when it runs
     * @param input the function's event, whose tokens resolve at synthesis
     * @param description what a run does, for the schedule and its role
     * @return the schedule
     */
    public static Schedule create(Construct scope, IFunction function, ScheduleExpression expression, Object input,
            String description) {
        ServiceRole role = ServiceRole.builder(scope, "scheduler.amazonaws.com")
                .ids("ScheduleRole", "SchedulePolicy")
                .descriptions("Invokes " + scope.getNode().getPath() + " on its schedule", "Invokes its function only")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("InvokeHandler")
                        .actions(List.of("lambda:InvokeFunction"))
                        .resources(List.of(function.getFunctionArn()))
                        .build()))
                .create();
        Schedule schedule = Schedule.Builder.create(scope, "Schedule")
                .schedule(expression)
                .description(description)
                .target(new LambdaInvoke(function, ScheduleTargetBaseProps.builder()
                        .role(role.role().withoutPolicyUpdates())
                        .input(ScheduleTargetInput.fromObject(input))
                        .retryAttempts(0)
                        .build()))
                .build();
        schedule.getNode().addDependency(role.policy());
        return schedule;
    }
}
