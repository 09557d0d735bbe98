package io.github.pullthroughcache.images;

import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.ServiceRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.scheduler.ScheduleTargetInput;
import software.amazon.awscdk.services.scheduler.TimeWindow;
import software.amazon.awscdk.services.scheduler.targets.ScheduleTargetBaseProps;
import software.amazon.awscdk.services.scheduler.targets.StepFunctionsStartExecution;
import software.amazon.awscdk.services.stepfunctions.CatchProps;
import software.amazon.awscdk.services.stepfunctions.Choice;
import software.amazon.awscdk.services.stepfunctions.Condition;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.DistributedMap;
import software.amazon.awscdk.services.stepfunctions.Fail;
import software.amazon.awscdk.services.stepfunctions.IChainable;
import software.amazon.awscdk.services.stepfunctions.JsonPath;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.OutputType;
import software.amazon.awscdk.services.stepfunctions.Pass;
import software.amazon.awscdk.services.stepfunctions.ResultWriterV2;
import software.amazon.awscdk.services.stepfunctions.RetryProps;
import software.amazon.awscdk.services.stepfunctions.S3JsonItemReader;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.amazon.awscdk.services.stepfunctions.Succeed;
import software.amazon.awscdk.services.stepfunctions.TaskInput;
import software.amazon.awscdk.services.stepfunctions.Transformation;
import software.amazon.awscdk.services.stepfunctions.WriterConfig;
import software.amazon.awscdk.services.stepfunctions.tasks.LambdaInvoke;
import software.constructs.Construct;
import software.constructs.DependencyGroup;
import software.constructs.IConstruct;
import software.constructs.IDependable;

/**
 * The engine of an image run (the cache warmer's, the image copier's): a Step Functions state machine that runs one
 * Lambda invocation per image, so that no function invokes itself and no parameter holds a run's progress.
 *
 * <p>An execution's input is {@code {"Images": [...], "Settings": {...}, "Request": {...}}}: the images as the
 * custom resource or the schedule lists them (the list is never unrolled here: it may be a token until the app
 * synthesizes), the run's settings, and the CloudFormation request to answer ({@code {}} on a schedule). Above
 * {@link #DISTRIBUTED_ABOVE} images the custom resource's function writes the list to the run's bucket instead and
 * names it, {@code "ImageList": {"Bucket", "Key", "Count"}}: an execution's input, as every state's input and output,
 * holds 256 KiB at most (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html), some 2,000
 * images of the examples' list entries. Its states:
 * <ul>
 *   <li>{@code Listed in S3}, {@code Count images} and {@code Inline or distributed}: up to
 *       {@link #DISTRIBUTED_ABOVE} images run in an inline Map ({@code Images}), more in a distributed Map
 *       ({@code Images (distributed)}), whose iterations are child executions with histories of their own: an inline
 *       Map's iterations share the execution's history of 25,000 events at most and run 40 at a time at most
 *       (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html). The distributed Map reads the
 *       list from the bucket ({@code ItemReader}; {@code Write image list} puts it there first when the input holds
 *       it, as a schedule's does) and writes its results there ({@code ResultWriter}, under {@link #RESULTS_PREFIX}:
 *       a {@code manifest.json} and result files, JSON arrays of the iterations' results), so that its output is the
 *       manifest's location, not a list that outgrows 256 KiB past some 1,600 results
 *       (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
 *       https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html);</li>
 *   <li>each iteration invokes the function on one image ({@code {"Action": "image", "Image", "Settings"}}), with
 *       {@code Retry} on a throttled or unavailable registry ({@code RegistryThrottled}, {@code RegistryUnavailable},
 *       the error names the handler throws, as a Node.js function's error name is the error Step Functions matches:
 *       https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html) and on Lambda's own
 *       transient errors; any other error is caught into a result {@code {"image", "status": "failed", "error",
 *       "cause"}}; a result that names a {@code resume} (a copy deferred part-way) is handed back to the function
 *       until it is done;</li>
 *   <li>{@code Answer}: the function counts the results (the inline Map's list, or the distributed Map's result files
 *       in the bucket) and answers CloudFormation's response URL, if there is one;
 *       {@code Answer failure}, the Maps' {@code Catch}, answers FAILED with the error. The execution then fails
 *       ({@code ImagesFailed}, {@code RunFailed}) when the answer did, so that {@code ExecutionsFailed} counts failed
 *       runs.</li>
 * </ul>
 * An execution that times out ({@link #TIMEOUT}, inside the hour CloudFormation waits for a custom resource), is
 * stopped or fails outside those states raises an EventBridge event, which rule {@code Stopped} hands to the
 * function to answer FAILED, as the Step Functions guide proposes for what no {@code Catch} can catch
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html).
 *
 * <p>Children: {@code Resource} (the state machine, STANDARD), {@code Role} and {@code Policy} (invokes the
 * function, delivers the state machine's logs), {@code MapRunPolicy} (the distributed Map starts, describes and stops
 * its own child executions, reads the image lists and writes its results), {@code Logs}, {@code StartPolicy} (on the
 * function's role: starts this state machine), {@code Results} (the bucket of image lists and results),
 * {@code ObjectsPolicy} (on the function's role: writes the image lists, reads the results), {@code Stopped} (the
 * rule); with a schedule, {@code Schedule}, {@code ScheduleRole} and {@code SchedulePolicy}.
 *
 * <p>The bucket {@code Results} is private (all public access blocked, TLS only, S3-managed keys) and expires every
 * object {@link #RUN_OBJECTS_EXPIRE_AFTER} after it is written. It is retained when the stack is deleted or rolled back
 * (S3's and aws-cdk's default): it holds no images, but the results of the run whose failure rolled the stack back
 * are what an operator reads to find the failed image, and CloudFormation cannot delete a bucket that holds objects
 * anyway; left behind, it empties itself within the expiry and costs nothing.
 */
public class ImageRunStateMachine extends Construct {

    /** Most images an execution runs in an inline Map; more go to a distributed Map. */
    public static final int DISTRIBUTED_ABOVE = 400;
    /**
     * Most bytes of an execution's input: StartExecution refuses more
     * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html, "Maximum input or output size for a
     * task, state, or execution"). A schedule's input holds its run's image list.
     */
    public static final int MAX_INPUT_BYTES = 262_144;
    /** Where the distributed Map writes its results in the run's bucket: a folder per map run, with its manifest. */
    public static final String RESULTS_PREFIX = "runs/results";
    /** Where the function writes a run's image list in the run's bucket, one object per execution. */
    public static final String IMAGE_LISTS_PREFIX = "runs/images";
    /** How long the run's bucket keeps an image list or a result file. */
    public static final Duration RUN_OBJECTS_EXPIRE_AFTER = Duration.days(30);
    /** How long an execution may run: inside CloudFormation's hour, with time left for the answer of a timeout. */
    public static final Duration TIMEOUT = Duration.minutes(50);
    /** The errors of the function that say the registry asked to slow down or was unavailable. */
    public static final List<String> RETRIED_ERRORS = List.of("RegistryThrottled", "RegistryUnavailable",
            "Lambda.TooManyRequestsException");

    private static final String LOG_DELIVERY_REASON = "CloudWatch Logs' log delivery actions take no resource ARN: "
            + "Step Functions delivers the state machine's log with them.";

    private final IFunction function;
    private final Bucket results;
    private final StateMachine stateMachine;
    private final DependencyGroup runnable = new DependencyGroup();

    /**
     * @param scope the image run
     * @param id the construct id
     * @param props the function, the concurrency
     */
    public ImageRunStateMachine(Construct scope, String id, ImageRunStateMachineProps props) {
        super(scope, id);
        this.function = props.getFunction();
        String path = scope.getNode().getPath();
        this.results = Bucket.Builder.create(this, "Results")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .encryption(BucketEncryption.S3_MANAGED)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("ExpireRunObjects")
                        .expiration(RUN_OBJECTS_EXPIRE_AFTER)
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        String kept = "The bucket holds a run's image list and results for " + RUN_OBJECTS_EXPIRE_AFTER.toDays()
                + " days, what the run's state machine wrote or read, which its execution history records too";
        NagAcknowledgements.acknowledge(results, "AwsSolutions-S1", kept + ": server access logs would log the "
                + "logging of the run.");
        NagAcknowledgements.acknowledge(results, "NIST.800.53.R5-S3BucketLoggingEnabled", kept + ": server "
                + "access logs would log the logging of the run.");
        NagAcknowledgements.acknowledge(results, "NIST.800.53.R5-S3BucketReplicationEnabled", kept + ": a copy "
                + "in another region would serve no run, which reads them only in this one.");
        NagAcknowledgements.acknowledge(results, "NIST.800.53.R5-S3BucketVersioningEnabled", kept + ": each "
                + "object is written once under a name of its own run, and never overwritten.");
        NagAcknowledgements.acknowledge(results, "NIST.800.53.R5-S3DefaultEncryptionKMS", kept + ": image names "
                + "and digests, no secret; S3-managed keys encrypt them at rest without a key to manage.");
        LogGroup logs = LogGroup.Builder.create(this, "Logs").retention(RetentionDays.ONE_YEAR).build();
        ServiceRole role = ServiceRole.builder(this, "states.amazonaws.com")
                .ids("Role", "Policy")
                .descriptions("Runs the images of " + props.getWhat() + " " + path,
                        "Invokes the " + props.getWhat() + "'s function and delivers the run's log")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("InvokeImageFunction")
                        .actions(List.of("lambda:InvokeFunction"))
                        .resources(List.of(function.getFunctionArn()))
                        .build(), PolicyStatement.Builder.create()
                        .sid("LogDelivery")
                        .actions(List.of("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                                "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                                "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"))
                        .resources(List.of("*"))
                        .build()))
                .wildcards(LOG_DELIVERY_REASON, List.of("*"))
                .create();
        this.stateMachine = StateMachine.Builder.create(this, "Resource")
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromChainable(definition(props.getImageConcurrency())))
                .timeout(TIMEOUT)
                // the role's grants are in its managed policy: NIST 800-53 R5 refuses inline policies
                .role(role.role().withoutPolicyUpdates())
                // ALL events, without their data: an execution's input holds CloudFormation's pre-signed response URL
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(false).build())
                .build();
        stateMachine.getNode().addDependency(role.policy());
        NagAcknowledgements.acknowledge(stateMachine, "AwsSolutions-SF2", "Each image's invocation, retries and "
                + "result are in the execution's history, and its timings in the function's log; tracing would add "
                + "nothing an operator needs to find a failed image.");
        NagAcknowledgements.acknowledge(logs, "NIST.800.53.R5-CloudWatchLogGroupEncrypted", "The log holds state "
                + "names and timings without execution data; CloudWatch Logs encrypts it at rest with its own key.");

        // aws-cdk's StateMachine writes its distributed Map's grants in a policy of its own (DistributedMapPolicy),
        // which it attaches to the role; a role without policy updates takes none, so the policy is never rendered
        // (cdk-nag still sees it). The same grants are in MapRunPolicy, managed, apart from the role's own policy
        // since it names the state machine, which waits for that one.
        IConstruct unrendered = stateMachine.getNode().findChild("DistributedMapPolicy");
        NagAcknowledgements.acknowledge(unrendered, "NIST.800.53.R5-IAMNoInlinePolicy", "Attached to no role and "
                + "therefore not in the template: MapRunPolicy, a managed policy, holds its grants.");
        NagAcknowledgements.acknowledge(unrendered, "AwsSolutions-IAM5", "Attached to no role and therefore not in the "
                + "template: MapRunPolicy, a managed policy, holds its grants.");
        Stack stack = Stack.of(this);
        List<String> executions = Stream.of(":*", "/Images:*").map(tail -> stack.formatArn(ArnComponents.builder()
                .service("states").resource("execution")
                .resourceName(Fn.select(6, Fn.split(":", stateMachine.getStateMachineArn())) + tail)
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build())).toList();
        String lists = results.arnForObjects(IMAGE_LISTS_PREFIX + "/*");
        String written = results.arnForObjects(RESULTS_PREFIX + "/*");
        ManagedPolicy mapRuns = ManagedPolicy.Builder.create(this, "MapRunPolicy")
                .description("Lets the distributed Map of " + path + " run its child executions")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("StartChildExecutions")
                        .actions(List.of("states:StartExecution"))
                        .resources(List.of(stateMachine.getStateMachineArn()))
                        .build(), PolicyStatement.Builder.create()
                        .sid("WatchChildExecutions")
                        .actions(List.of("states:DescribeExecution", "states:StopExecution"))
                        .resources(executions)
                        .build(), PolicyStatement.Builder.create()
                        // ItemReader on a JSON file, ResultWriter: the actions the Step Functions guide lists
                        // (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
                        // https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html)
                        .sid("ReadImageLists")
                        .actions(List.of("s3:GetObject"))
                        .resources(List.of(lists))
                        .build(), PolicyStatement.Builder.create()
                        .sid("WriteResults")
                        .actions(List.of("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts",
                                "s3:AbortMultipartUpload"))
                        .resources(List.of(written))
                        .build()))
                .roles(List.of(role.role()))
                .build();
        NagAcknowledgements.acknowledgeResources(mapRuns, "AwsSolutions-IAM5", "A distributed Map's child executions "
                + "are named by Step Functions: the patterns are the executions of this state machine only.", executions);
        NagAcknowledgements.acknowledgeResources(mapRuns, "AwsSolutions-IAM5", "An image list is named by its "
                + "execution and a result file by its map run, neither known before the run: the patterns are the "
                + "run's own bucket, under the prefix of each.", List.of(lists, written));
        // the function's own policy is a dependency of the function, which the state machine names: a policy apart
        ManagedPolicy start = ManagedPolicy.Builder.create(this, "StartPolicy")
                .description("Lets the function of " + path + " start a run at deployment")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("StartRun")
                        .actions(List.of("states:StartExecution"))
                        .resources(List.of(stateMachine.getStateMachineArn()))
                        .build()))
                .roles(List.of(props.getFunctionRole()))
                .build();
        ManagedPolicy objects = ManagedPolicy.Builder.create(this, "ObjectsPolicy")
                .description("Lets the function of " + path + " write a long run's image list and read its results")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("WriteImageLists")
                        .actions(List.of("s3:PutObject"))
                        .resources(List.of(lists))
                        .build(), PolicyStatement.Builder.create()
                        .sid("ReadResults")
                        .actions(List.of("s3:GetObject"))
                        .resources(List.of(written))
                        .build()))
                .roles(List.of(props.getFunctionRole()))
                .build();
        NagAcknowledgements.acknowledgeResources(objects, "AwsSolutions-IAM5", "An image list is named by its "
                + "execution and a result file by its map run, neither known before the run: the patterns are the "
                + "run's own bucket, under the prefix of each.", List.of(lists, written));
        runnable.add(mapRuns, start, objects);

        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("status", List.of("FAILED", "TIMED_OUT", "ABORTED"));
        detail.put("stateMachineArn", List.of(stateMachine.getStateMachineArn()));
        Rule.Builder.create(this, "Stopped")
                .description("Answers CloudFormation for a run of " + path + " that stopped before it answered")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.states"))
                        .detailType(List.of("Step Functions Execution Status Change"))
                        .detail(detail)
                        .build())
                .targets(List.of(LambdaFunction.Builder.create(function)
                        .retryAttempts(8)
                        .maxEventAge(Duration.minutes(10))
                        .build()))
                .build();
    }

    /** The states described above. */
    private IChainable definition(int imageConcurrency) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("Action", "image");
        item.put("Image", JsonPath.stringAt("$$.Map.Item.Value"));
        item.put("Settings", JsonPath.objectAt("$.Settings"));
        software.amazon.awscdk.services.stepfunctions.Map inline = software.amazon.awscdk.services.stepfunctions.Map
                .Builder.create(this, "Images")
                .itemsPath("$.Images")
                .itemSelector(item)
                .maxConcurrency(imageConcurrency)
                .resultPath("$.Results")
                .build();
        inline.itemProcessor(perImage(""));
        DistributedMap distributed = DistributedMap.Builder.create(this, "Images (distributed)")
                .itemReader(S3JsonItemReader.Builder.create().bucket(results)
                        .key(JsonPath.stringAt("$.ImageList.Key")).build())
                .resultWriterV2(ResultWriterV2.Builder.create().bucket(results).prefix(RESULTS_PREFIX)
                        .writerConfig(WriterConfig.Builder.create().outputType(OutputType.JSON)
                                .transformation(Transformation.COMPACT).build())
                        .build())
                .itemSelector(item)
                .maxConcurrency(imageConcurrency)
                .mapExecutionType(StateMachineType.STANDARD)
                .label("Images")
                .resultPath("$.Results")
                .build();
        distributed.itemProcessor(perImage(" (distributed)"));

        LambdaInvoke answer = answer("Answer", Map.of("Results", JsonPath.listAt("$.Results")));
        LambdaInvoke answerFailure = answer("Answer failure", Map.of("Error", JsonPath.objectAt("$.Error")));
        CatchProps toAnswerFailure = CatchProps.builder().errors(List.of("States.ALL")).resultPath("$.Error").build();
        inline.addCatch(answerFailure, toAnswerFailure);
        distributed.addCatch(answerFailure, toAnswerFailure);
        answerFailure.next(Fail.Builder.create(this, "RunFailed").error("RunFailed")
                .cause("The run stopped before its images were done: see the Answer failure state's input").build());
        answer.next(Choice.Builder.create(this, "Answered").build()
                .when(Condition.booleanEquals("$.Outcome.Succeeded", false), Fail.Builder.create(this, "ImagesFailed")
                        .error("ImagesFailed").causePath("$.Outcome.Reason").build())
                .otherwise(Succeed.Builder.create(this, "Done").build()));

        Map<String, Object> list = new LinkedHashMap<>();
        list.put("Action", "list");
        list.put("Images", JsonPath.listAt("$.Images"));
        list.put("Execution", JsonPath.stringAt("$$.Execution.Name"));
        LambdaInvoke writeList = LambdaInvoke.Builder.create(this, "Write image list")
                .lambdaFunction(function)
                .payload(TaskInput.fromObject(list))
                .payloadResponseOnly(true)
                .resultPath("$.ImageList")
                .build();
        writeList.addCatch(answerFailure, toAnswerFailure);
        distributed.next(answer);
        Pass count = Pass.Builder.create(this, "Count images")
                .parameters(Map.of("Count", JsonPath.arrayLength(JsonPath.listAt("$.Images"))))
                .resultPath("$.Run")
                .build();
        count.next(Choice.Builder.create(this, "Inline or distributed").build()
                .when(Condition.numberGreaterThan("$.Run.Count", DISTRIBUTED_ABOVE), writeList.next(distributed))
                .otherwise(inline.next(answer)));
        return Choice.Builder.create(this, "Listed in S3").build()
                .when(Condition.isPresent("$.ImageList"), distributed)
                .otherwise(count);
    }

    /** One image: invoked, retried, caught; a deferred copy handed back with its resume. */
    private IChainable perImage(String suffix) {
        LambdaInvoke process = LambdaInvoke.Builder.create(this, "Process image" + suffix)
                .lambdaFunction(function)
                .payloadResponseOnly(true)
                .resultPath("$.Result")
                .build();
        process.addRetry(RetryProps.builder().errors(RETRIED_ERRORS)
                .interval(Duration.seconds(5)).backoffRate(2).maxAttempts(4).build());
        Map<String, Object> failed = new LinkedHashMap<>();
        failed.put("image", JsonPath.stringAt("$.Image.image"));
        failed.put("status", "failed");
        failed.put("error", JsonPath.stringAt("$.Error.Error"));
        failed.put("cause", JsonPath.stringAt("$.Error.Cause"));
        process.addCatch(Pass.Builder.create(this, "Image failed" + suffix).parameters(failed).build(),
                CatchProps.builder().errors(List.of("States.ALL")).resultPath("$.Error").build());
        Map<String, Object> resume = new LinkedHashMap<>();
        resume.put("Action", "image");
        resume.put("Image", JsonPath.objectAt("$.Image"));
        resume.put("Settings", JsonPath.objectAt("$.Settings"));
        resume.put("Resume", JsonPath.objectAt("$.Result.resume"));
        return process.next(Choice.Builder.create(this, "Deferred part-way" + suffix).build()
                .when(Condition.isPresent("$.Result.resume"),
                        Pass.Builder.create(this, "Resume image" + suffix).parameters(resume).build().next(process))
                .otherwise(Pass.Builder.create(this, "Image result" + suffix).inputPath("$.Result").build()));
    }

    private LambdaInvoke answer(String id, Map<String, Object> outcome) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("Action", "answer");
        payload.put("Request", JsonPath.objectAt("$.Request"));
        payload.put("Settings", JsonPath.objectAt("$.Settings"));
        payload.put("Execution", JsonPath.stringAt("$$.Execution.Id"));
        payload.putAll(outcome);
        return LambdaInvoke.Builder.create(this, id)
                .lambdaFunction(function)
                .payload(TaskInput.fromObject(payload))
                .payloadResponseOnly(true)
                .resultPath("$.Outcome")
                .build();
    }

    /**
     * Starts the state machine on a schedule (EventBridge Scheduler's StartExecution target, no function between):
     * children {@code Schedule}, {@code ScheduleRole} and {@code SchedulePolicy}. A failed start is not retried: the
     * next run does the work.
     *
     * @param expression when
     * @param images the images, as the custom resource lists them
     * @param settings the run's settings
     * @param description the schedule's description
     * @return the schedule
     */
    public Schedule schedule(ScheduleExpression expression, Object images, Map<String, Object> settings,
            String description) {
        ServiceRole role = ServiceRole.builder(this, "scheduler.amazonaws.com")
                .ids("ScheduleRole", "SchedulePolicy")
                .descriptions("Starts " + getNode().getPath() + " on its schedule", "Starts its state machine only")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("StartRun")
                        .actions(List.of("states:StartExecution"))
                        .resources(List.of(stateMachine.getStateMachineArn()))
                        .build()))
                .create();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("Images", images);
        input.put("Settings", settings);
        input.put("Request", Map.of());
        Schedule schedule = Schedule.Builder.create(this, "Schedule")
                .description(description)
                .schedule(expression)
                .timeWindow(TimeWindow.off())
                .target(new StepFunctionsStartExecution(stateMachine, ScheduleTargetBaseProps.builder()
                        .role(role.role().withoutPolicyUpdates())
                        .input(ScheduleTargetInput.fromText(Stack.of(this).toJsonString(input)))
                        .retryAttempts(0)
                        .build()))
                .build();
        schedule.getNode().addDependency(role.policy(), runnable);
        return schedule;
    }

    /** @return the bucket of the run's image lists and results */
    public Bucket getResults() {
        return results;
    }

    /** @return the state machine */
    public StateMachine getStateMachine() {
        return stateMachine;
    }

    /** @return what must exist before a run starts: the policies that let it start and run */
    public IDependable getRunnable() {
        return runnable;
    }
}
