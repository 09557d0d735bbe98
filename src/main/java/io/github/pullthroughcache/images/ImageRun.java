package io.github.pullthroughcache.images;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.ImageRuns;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.constructs.Construct;

/**
 * A run over a list of images that puts them in the registry from outside the VPC, at deployment and optionally on a
 * schedule: the one base of the cache warmer ({@link CacheWarmer}, which pulls them through the cache) and the image
 * copier ({@link ImageCopier}, which copies them in). What the two kinds share is here: the function
 * (child {@code Handler}), the Step Functions state machine that invokes it once per image ({@code Run}, an
 * {@link ImageRunStateMachine}), the custom resource that starts a run at deployment and waits for its answer
 * ({@code Resource}), the schedule, and the image list, rendered when the app is synthesized so that images added
 * later are in the template too. A kind says only how an image becomes an entry of the list and what its role may do
 * for it.
 */
public abstract class ImageRun extends Construct {

    final ManagedPolicy policy;
    private final ImageRuns.TagOnCreate tagOnCreate;
    private final CustomResource resource;
    private final Function function;
    private final ImageRunStateMachine run;
    private final Schedule schedule;
    private final Set<String> added = new LinkedHashSet<>();
    private final List<Map<String, String>> images = new ArrayList<>();
    private final List<String> imageUris = new ArrayList<>();

    /** What a kind gives its base: its handler, its custom resource's type, its settings and its schedule. */
    record Kind(HandlerFunction.Builder handler, String resourceType, String what, Map<String, Object> settings,
            int imageConcurrency, ScheduleExpression schedule,
            String scheduleDescription) {
    }

    /** An image as the run lists it, and its private URI. */
    record Entry(Map<String, String> properties, String imageUri) {
    }

    /**
     * @param scope the parent
     * @param id the construct id
     * @param kind the kind, made for this construct (the handler's scope)
     */
    ImageRun(Construct scope, String id, java.util.function.Function<Construct, Kind> kind) {
        super(scope, id);
        Kind given = kind.apply(this);
        HandlerFunction handler = given.handler().create();
        this.function = handler.function();
        this.policy = handler.role().policy();
        this.tagOnCreate = new ImageRuns.TagOnCreate(policy);

        Map<String, Object> settings = new LinkedHashMap<>();
        // images added later (addImages) are in the template too
        settings.put("Images", Lazy.any(() -> List.copyOf(images)));
        settings.putAll(given.settings());
        // one invocation per image, on a state machine the custom resource starts and the schedule starts
        this.run = new ImageRunStateMachine(this, "Run", ImageRunStateMachineProps.builder().function(function)
                .functionRole(handler.role().role()).imageConcurrency(given.imageConcurrency()).what(given.what())
                .build());
        // where a run of more than DISTRIBUTED_ABOVE images goes: its list and its results
        function.addEnvironment("RUN_BUCKET", run.getResults().getBucketName());
        function.addEnvironment("DISTRIBUTED_ABOVE", String.valueOf(ImageRunStateMachine.DISTRIBUTED_ABOVE));
        Map<String, Object> properties = new LinkedHashMap<>(settings);
        properties.put("Owner", ConstructIds.owner(this));
        properties.put("StateMachine", run.getStateMachine().getStateMachineArn());
        this.resource = CustomResource.Builder.create(this, "Resource")
                .serviceToken(function.getFunctionArn())
                .resourceType(given.resourceType())
                .properties(properties)
                // the hour CloudFormation waits at most, which the state machine's timeout is inside of
                .serviceTimeout(Duration.minutes(60))
                .build();
        resource.getNode().addDependency(run.getRunnable());
        this.schedule = given.schedule() == null ? null : run.schedule(given.schedule(), settings.remove("Images"),
                settings, given.scheduleDescription());
        if (schedule != null) {
            // images may be added until the app synthesizes
            getNode().addValidation(this::scheduleInputErrors);
        }
    }

    /**
     * A schedule starts each run with the image list in the execution's input, which StartExecution takes up to
     * {@link ImageRunStateMachine#MAX_INPUT_BYTES}: a longer list would make every scheduled run fail. The list's JSON
     * is counted as rendered; an entry with a token is not counted (its length is not known before deployment).
     */
    private List<String> scheduleInputErrors() {
        long bytes = 2;
        for (Map<String, String> entry : images) {
            bytes += 3;
            for (Map.Entry<String, String> field : entry.entrySet()) {
                if (Token.isUnresolved(field.getValue())) {
                    return List.of();
                }
                bytes += field.getKey().length() + field.getValue().getBytes(StandardCharsets.UTF_8).length + 6;
            }
        }
        // the settings and the empty request beside the list: a few hundred bytes at most
        long most = ImageRunStateMachine.MAX_INPUT_BYTES - 1024;
        if (bytes <= most) {
            return List.of();
        }
        return List.of(String.format("images: %,d images make a list of about %,d bytes, which the schedule would put in "
                + "each run's input, and Step Functions takes %,d bytes at most, its settings included (StartExecution): "
                + "give this run fewer images (at most about %,d of these), and the rest to a second one, or no schedule",
                images.size(), bytes, ImageRunStateMachine.MAX_INPUT_BYTES, images.size() * most / bytes));
    }

    /**
     * Adds images to the run, at deployment and on the schedule: the role gets what each needs, and the custom resource
     * waits for what serves it. An image given already is left as it is.
     *
     * @param imageReferences images in any form {@code docker pull} takes
     * @throws IllegalArgumentException when a reference is invalid, or nothing of the run serves its registry
     */
    public void addImages(List<String> imageReferences) {
        for (String image : imageReferences) {
            if (added.add(image)) {
                Entry entry = entryFor(image);
                images.add(entry.properties());
                imageUris.add(entry.imageUri());
            }
        }
    }

    /**
     * @param image an image not in the run yet
     * @return how the run lists it; the role is given what it needs for the image by then
     * @throws IllegalArgumentException when the reference is invalid, or nothing of the run serves its registry
     */
    abstract Entry entryFor(String image);

    /**
     * The run's statement on the repositories of what serves an image (the warmer's pulls, the copier's pushes), with
     * {@code ecr:TagResource} for the tag keys of the creation template that makes them, since ECR creates the
     * repository of a first pull or push as the caller; the custom resource waits for what serves them. The statement
     * joins the role's policy with its first repositories: a statement without resources is refused.
     *
     * @param statement the run's pulls or pushes
     * @param target the rule or copied registry
     * @param reason why its repositories' wildcard is needed (cdk-nag)
     * @param tagKeys the keys its creation template tags with; none adds no tagging
     */
    void allowOn(PolicyStatement statement, IPullThroughCacheRule target, String reason, Set<String> tagKeys) {
        String repositories = target.getRepositoryArnPattern();
        if (statement.getResources().isEmpty()) {
            policy.addStatements(statement);
        }
        statement.addResources(repositories);
        NagAcknowledgements.acknowledgeResources(policy, "AwsSolutions-IAM5", reason, List.of(repositories));
        tagOnCreate.allow(repositories, tagKeys);
        resource.getNode().addDependency(target);
    }

    /** @return the function that runs one image an invocation */
    public Function getFunction() {
        return function;
    }

    /** @return the custom resource that runs the images at deployment */
    public CustomResource getResource() {
        return resource;
    }

    /** @return the schedule, or {@code null} without one */
    public Schedule getSchedule() {
        return schedule;
    }

    /** @return the state machine that runs the images, one invocation of the function each */
    public StateMachine getStateMachine() {
        return run.getStateMachine();
    }

    /** @return the private URIs of the run's images, in the order given */
    public List<String> getImageUris() {
        return List.copyOf(imageUris);
    }
}
