package io.github.pullthroughcache.images;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.ImageRuns;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.rule.CopiedRegistry;
import io.github.pullthroughcache.rule.ImageReference;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.constructs.Construct;

/**
 * The other kind of {@link ImageRun}, beside the warmer: copies the images of registries that ECR's pull through
 * cache cannot serve ({@link CopiedRegistry}, made of
 * {@code UpstreamRegistry.copied}) into the registry, from outside the VPC: a Lambda function, attached to no VPC,
 * reads each image from the upstream's {@code /v2/} API and pushes it with ECR's layer upload API, when the stack is
 * deployed and, optionally, on a schedule. Tasks in a VPC with endpoints and no NAT gateway then pull the copies as
 * they pull cached images. {@code PullThroughCache} makes one (child {@code Copier}) for the copied images it routes.
 *
 * <pre>
 * new ImageCopier(this, "Copier", ImageCopierProps.builder()
 *     .registries(List.of(mcr))
 *     .images(List.of("mcr.microsoft.com/dotnet/runtime:8.0"))
 *     .options(CacheWarmerOptions.builder().schedule(ScheduleExpression.rate(Duration.days(1))).build())
 *     .build());
 * </pre>
 *
 * <p>What a run copies of each image: its manifest, or an index and the manifest of each platform (or of the chosen
 * {@code platforms}); the config and layer blobs ECR does not have yet (a {@code HEAD} of each), each streamed from
 * the upstream into an upload of ECR's registry API, the OCI distribution API that docker push uses ({@code POST},
 * {@code PATCH} chunks, {@code PUT ?digest=}; a few socket chunks of a blob in memory, whatever its size), its sha256
 * checked before the upload is completed; then the manifests' exact bytes ({@code PUT} with their media type), so that
 * ECR stores the upstream's digests and digest-pinned references work. A tag that moved upstream is copied again on the next run; an image copied already
 * costs its manifests' reads and no upload. The upstream is read anonymously, or with the credential secret of the
 * registry ({@code username}, {@code accessToken}) as Basic or through the Bearer token exchange, whichever it asks
 * for. A run scales as the warmer's does: one invocation per image on a Step Functions state machine
 * ({@link ImageRunStateMachine}), a few at a time, retried by the state machine on a throttled or unavailable
 * registry, the answer to CloudFormation from the execution, with {@code Copied}, {@code Failed} and
 * {@code Deferred}, and {@code failOnError}.
 *
 * <p>Children: {@code Handler} (the function, 2048 MB, 15 minutes) with {@code HandlerRole}, {@code HandlerPolicy} and
 * {@code HandlerLogs}; {@code Resource} ({@code Custom::EcrImageCopier}, run when it is created or its images change,
 * after the creation templates of the registries it copies into); {@code Run} (the state machine), with a schedule
 * its {@code Schedule}, {@code ScheduleRole} and {@code SchedulePolicy}. The role may push
 * ({@link CopiedRegistry#PUSH_ACTIONS}, {@code ecr:CreateRepository} for the repositories that the creation template
 * makes at the first push) on {@code repository/<prefix>/*} of the registries it copies into, get a registry token
 * ({@code ecr:GetAuthorizationToken}, which takes no resource) for the push through ECR's registry API, read the
 * credential secrets of those registries, and start its state machine: nothing else.
 */
public class ImageCopier extends ImageRun {

    private static final String REPOSITORIES_REASON = "The copies are pushed to repositories under the prefix of a "
            + "copied registry, named by the upstream repository, which ECR creates at the first push.";
    private static final String REGISTRY_TOKEN_REASON = "ecr:GetAuthorizationToken takes no resource ARN; the pushes "
            + "are scoped to the repositories under the prefixes of the copied registries.";
    private static final String SECRET_REASON = "A secret imported by name has a random six-character suffix that "
            + "only the wildcard matches.";

    private final StackFacts facts;
    private final List<CopiedRegistry> registries;
    private final String owner;
    private final PolicyStatement pushes = PolicyStatement.Builder.create().sid("CopyInto")
            .actions(CopiedRegistry.PUSH_ACTIONS).build();
    private final Set<CopiedRegistry> used = new LinkedHashSet<>();

    /**
     * @param scope a construct of the stack of the copied registries
     * @param id the construct id
     * @param props the registries, the images, the settings of a run
     * @throws IllegalArgumentException when a registry or image is missing, or a setting is out of range
     */
    public ImageCopier(Construct scope, String id, ImageCopierProps props) {
        super(scope, id, self -> kind(self, props));
        this.facts = StackFacts.of(scope);
        this.registries = new ArrayList<>(props.getRegistries());
        this.owner = "ImageCopier " + getNode().getPath();
        addImages(props.getImages() != null ? props.getImages() : List.of());
    }

    /** The copier's handler, settings and schedule, its props checked first. */
    private static Kind kind(Construct self, ImageCopierProps props) {
        if (props.getRegistries() == null || props.getRegistries().isEmpty()) {
            throw new IllegalArgumentException("ImageCopierProps.registries is required: the copied registries "
                    + "(CopiedRegistry, of UpstreamRegistry.copied) whose images are copied");
        }
        if (props.getImages() != null && props.getImages().isEmpty()) {
            throw new IllegalArgumentException("ImageCopierProps.images is empty: give one or more image references such "
                    + "as 'mcr.microsoft.com/dotnet/runtime:8.0', or leave it out and add them with addImages");
        }
        CacheWarmerOptions options = props.getOptions() != null ? props.getOptions() : CacheWarmerOptions.builder().build();
        int concurrency = ImageRuns.count("ImageCopierProps.options concurrency", options.getConcurrency(), CacheWarmer.MAX_CONCURRENCY);
        int imageConcurrency = ImageRuns.count("ImageCopierProps.options imageConcurrency", options.getImageConcurrency(), CacheWarmer.MAX_CONCURRENCY);
        if (props.getPlatforms() != null) {
            CacheWarmer.checkPlatforms("ImageCopierProps.platforms", props.getPlatforms(), "every platform");
        }
        HandlerFunction.Builder handler = HandlerFunction.builder(self, "image-copier")
                .descriptions("Custom::EcrImageCopier: copies images of registries the pull through cache cannot serve "
                        + "into ECR, for " + self.getNode().getPath(),
                        "Pushes under the copied registries' prefixes and reads their credentials only")
                // blobs are streamed, a few socket chunks each: the memory buys CPU, which Lambda gives in proportion
                // to it, one vCPU at 1,769 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html):
                // at 2048 MB the copy's thread, which reads, hashes and writes, has a whole vCPU, where 1024 MB gave it
                // about half of one; a copy bound by CPU costs the same GB-seconds either way
                .limits(Duration.minutes(15), 2048)
                .logRetention(options.getLogRetention())
                .reasons("The copier runs when CloudFormation deploys it"
                                + (options.getSchedule() != null ? " and on its schedule" : "") + ", one run at a time.",
                        "A failed run is in the log and, at deployment, in the custom resource's status; the next run "
                                + "copies what it missed.",
                        "The log holds image names, digests, counts, sizes, durations and error messages, never a "
                                + "credential or registry token;");
        // the push goes through ECR's registry API, as docker push does, with a token of ecr:GetAuthorizationToken
        ImageRuns.allowRegistryToken(handler, REGISTRY_TOKEN_REASON);
        Map<String, Object> settings = new LinkedHashMap<>();
        if (props.getPlatforms() != null) {
            settings.put("Platforms", props.getPlatforms());
        }
        settings.put("Concurrency", concurrency);
        settings.put("ImageConcurrency", imageConcurrency);
        settings.put("FailOnError", Boolean.TRUE.equals(options.getFailOnError()));
        return new Kind(handler, "Custom::EcrImageCopier", "image copier", settings, imageConcurrency,
                options.getSchedule(), "Copies images into the registry: " + self.getNode().getPath());
    }

    /**
     * Adds a registry whose images the copier may copy, such as one added to a cache after its copier.
     *
     * @param registry the copied registry
     */
    public void addRegistry(CopiedRegistry registry) {
        if (!registries.contains(registry)) {
            registries.add(registry);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The copier's role gets the pushes of the registry the image goes to, and its custom resource waits for that
     * registry's creation template.
     */
    @Override
    Entry entryFor(String image) {
        CopiedRegistry registry = PullThroughCacheRule.serving(registries, image, owner,
                "Add UpstreamRegistry.copied(\"<host>\") for it to the cache's upstreams, or leave the image out");
        ImageReference source = ImageReference.parse(image);
        ImageReference target = registry.cachedReference(image);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("image", image);
        entry.put("upstream", "https://" + source.getRegistry());
        entry.put("sourceRepository", source.getRepository());
        entry.put("reference", source.getDigest() != null ? source.getDigest()
                : source.getTag() != null ? source.getTag() : "latest");
        entry.put("repository", target.getRepository());
        ISecret credential = registry.getUpstream().getCredential();
        if (credential != null) {
            entry.put("credential", credential.getSecretFullArn() != null
                    ? credential.getSecretFullArn() : credential.getSecretName());
        }
        if (used.add(registry)) {
            allowCopiesInto(registry);
        }
        return new Entry(entry, target.toString());
    }

    /**
     * The pushes under the registry's prefix; for a creation template that tags, ecr:TagResource for those keys, since
     * ECR creates the repository of a first push as the pusher; the credential's read. The custom resource waits for
     * the registry's creation template: it must exist before the first push.
     */
    private void allowCopiesInto(CopiedRegistry registry) {
        allowOn(pushes, registry, REPOSITORIES_REASON, registry.getCreationTemplate().getResourceTags().keySet());
        ISecret credential = registry.getUpstream().getCredential();
        if (credential != null) {
            allowRead(registry, credential);
        }
    }

    /** The credential's value only, and its key's decryption through Secrets Manager only. */
    private void allowRead(CopiedRegistry registry, ISecret credential) {
        String arn = credential.getSecretFullArn() != null ? credential.getSecretFullArn()
                : credential.getSecretArn() + "-??????";
        policy.addStatements(PolicyStatement.Builder.create()
                .sid("ReadCredential" + ConstructIds.pascalCase(registry.getRepositoryPrefix()))
                .actions(List.of("secretsmanager:GetSecretValue"))
                .resources(List.of(arn))
                .build());
        if (credential.getSecretFullArn() == null) {
            NagAcknowledgements.acknowledgeResources(policy, "AwsSolutions-IAM5", SECRET_REASON, List.of(arn));
        }
        if (credential.getEncryptionKey() != null) {
            policy.addStatements(PolicyStatement.Builder.create()
                    .sid("DecryptCredential" + ConstructIds.pascalCase(registry.getRepositoryPrefix()))
                    .actions(List.of("kms:Decrypt"))
                    .resources(List.of(credential.getEncryptionKey().getKeyArn()))
                    .conditions(Map.of("StringEquals", Map.of("kms:ViaService",
                            "secretsmanager." + facts.region() + ".amazonaws.com")))
                    .build());
        }
    }
}
