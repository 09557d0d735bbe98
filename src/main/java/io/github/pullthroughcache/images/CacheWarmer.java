package io.github.pullthroughcache.images;

import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.ImageRuns;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.ImageReference;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.constructs.Construct;

/**
 * Fills the cache from outside the VPC, one of the two kinds of {@link ImageRun}: a Lambda function, attached to
 * no VPC, pulls a list of images through
 * the private registry as {@code docker pull} would, when the stack is deployed and, optionally, on a schedule.
 * Tasks in a VPC with endpoints and no NAT gateway then find those images cached.
 *
 * <pre>
 * new CacheWarmer(this, "Warmer", CacheWarmerProps.builder()
 *     .cache(cache)
 *     .images(List.of("public.ecr.aws/nginx/nginx:1.27", "quay.io/prometheus/prometheus:v3.0.0"))
 *     .schedule(ScheduleExpression.rate(Duration.days(1)))
 *     .build());
 * </pre>
 *
 * <p>The first pull of an image through ECR's pull through cache may send the client to the upstream's CDN,
 * which a task in an isolated subnet cannot reach. The warmer's function has that egress: it takes a token with
 * {@code ecr:GetAuthorizationToken}, GETs each manifest (following an image index to the chosen platforms) and
 * every config and layer blob through the registry's {@code /v2/} API, following redirects and checking each
 * blob's sha256, a few blobs of each image at a time. The images run on a Step Functions state machine
 * ({@link ImageRunStateMachine}, child {@code Run}): one invocation of the function per image, a few at a time, with
 * retries and backoff on a throttled or unavailable registry as the state machine's {@code Retry}, each image's result
 * (warmed, failed and why, deferred) in the execution's history. At deployment the custom resource starts an
 * execution and the execution answers CloudFormation, within the hour it waits (the custom resource answers once,
 * at the end, with the counts {@code Warmed}, {@code Failed} and {@code Deferred}, failing under {@code failOnError}
 * when an image failed); an execution that times out or is stopped is answered FAILED by the function, through an
 * EventBridge rule. No function invokes itself and no parameter holds a run's progress. It logs, per image, the
 * digest, bytes and seconds; never the token.
 *
 * <p>Children: {@code Handler} (the function) with {@code HandlerRole}, {@code HandlerPolicy} and
 * {@code HandlerLogs}; {@code Resource} (the custom resource {@code Custom::EcrCacheWarmer}, which runs when it is
 * created or its images change and waits for the rules it warms); {@code Run} (the state machine, its role, log,
 * policies and rule), and with a schedule its {@code Schedule} (EventBridge Scheduler, starting the state machine)
 * with {@code ScheduleRole} and {@code SchedulePolicy}. The function's role may call {@code ecr:GetAuthorizationToken},
 * and {@code ecr:BatchGetImage}, {@code ecr:GetDownloadUrlForLayer}, {@code ecr:BatchImportUpstreamImage} and
 * {@code ecr:CreateRepository} on the repositories of the rules that serve the images, and start its state machine;
 * nothing else.
 */
public class CacheWarmer extends ImageRun {

    /** The platforms pulled from a multi-platform image unless told otherwise. */
    public static final List<String> DEFAULT_PLATFORMS = List.of("linux/amd64", "linux/arm64");
    /** Most blobs of an image, and most images, pulled at once. */
    public static final int MAX_CONCURRENCY = 16;

    private static final List<String> ACTIONS = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchImportUpstreamImage", "ecr:CreateRepository");
    private static final Pattern PLATFORM = Pattern.compile("^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$");

    private static final String REGISTRY_TOKEN_REASON = "ecr:GetAuthorizationToken takes no resource ARN; the pulls are "
            + "scoped to the repositories under the prefixes of the rules that serve the warmed images.";
    private static final String REPOSITORIES_REASON = "The pulls are scoped to the repositories under the prefix of a "
            + "rule that serves a warmed image, which ECR creates on the first pull.";

    private final String registryHost;
    private final Supplier<List<? extends IPullThroughCacheRule>> rules;
    private final String owner;
    private final String remedy;
    private final PolicyStatement pulls = PolicyStatement.Builder.create().sid("PullThroughCache").actions(ACTIONS).build();
    private final Set<IPullThroughCacheRule> used = new LinkedHashSet<>();

    /**
     * @param scope a construct of the stack of the cache's rules
     * @param id the construct id
     * @param props the cache or rules, the images, the schedule
     */
    public CacheWarmer(Construct scope, String id, CacheWarmerProps props) {
        super(scope, id, self -> kind(self, props));
        this.registryHost = StackFacts.of(scope).registryHost();
        this.rules = rulesOf(props);
        this.owner = ownerOf(props);
        this.remedy = props.getCache() != null ? "Add the registry to the cache, or leave the image out"
                : "Add a rule for that registry to CacheWarmerProps.rules, or leave the image out";
        getFunction().addEnvironment("REGISTRY_URL", "https://" + registryHost);
        addImages(props.getImages() != null ? props.getImages() : List.of());
    }

    /** The warmer's handler, settings and schedule, its props checked first. */
    private static Kind kind(Construct self, CacheWarmerProps props) {
        List<String> platforms = props.getPlatforms() != null ? props.getPlatforms() : DEFAULT_PLATFORMS;
        int concurrency = ImageRuns.count("CacheWarmerProps.concurrency", props.getConcurrency(), MAX_CONCURRENCY);
        int imageConcurrency = ImageRuns.count("CacheWarmerProps.imageConcurrency", props.getImageConcurrency(), MAX_CONCURRENCY);
        checkPlatforms("CacheWarmerProps.platforms", platforms, String.valueOf(DEFAULT_PLATFORMS));
        if (props.getImages() != null && props.getImages().isEmpty()) {
            throw new IllegalArgumentException("CacheWarmerProps.images is empty: give one or more image references such "
                    + "as 'public.ecr.aws/nginx/nginx:1.27', or leave it out and add them with addImages");
        }
        rulesOf(props);
        String whenInvoked = "The warmer runs when CloudFormation deploys it"
                + (props.getSchedule() != null ? " and on its schedule" : "") + ", one run at a time.";
        HandlerFunction.Builder handler = HandlerFunction.builder(self, "cache-warmer")
                .descriptions("Custom::EcrCacheWarmer: pulls images through the ECR pull through cache of "
                        + ownerOf(props), "A registry token, and pulls through the cache under the warmed prefixes only")
                .limits(Duration.minutes(15), 512)
                .logRetention(props.getLogRetention())
                .reasons(whenInvoked,
                        "A failed run is in the log and, at deployment, in the custom resource's status; the next run "
                                + "warms what it missed.",
                        "The log holds image names, digests, sizes, durations and error messages, never the registry "
                                + "token;");
        ImageRuns.allowRegistryToken(handler, REGISTRY_TOKEN_REASON);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("Platforms", platforms);
        settings.put("Concurrency", concurrency);
        settings.put("ImageConcurrency", imageConcurrency);
        settings.put("FailOnError", Boolean.TRUE.equals(props.getFailOnError()));
        return new Kind(handler, "Custom::EcrCacheWarmer", "cache warmer", settings, imageConcurrency,
                props.getSchedule(), "Warms the pull through cache: " + self.getNode().getPath());
    }

    private static String ownerOf(CacheWarmerProps props) {
        return props.getCache() != null ? "PullThroughCache " + props.getCache().getNode().getPath()
                : "CacheWarmerProps.rules";
    }

    /**
     * {@inheritDoc}
     *
     * <p>The warmer's role gets the pulls of the rule that serves the image, and its custom resource waits for that
     * rule.
     */
    @Override
    Entry entryFor(String image) {
        IPullThroughCacheRule rule = PullThroughCacheRule.serving(rules.get(), image, owner, remedy);
        ImageReference cached = rule.cachedReference(image);
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("image", image);
        if (!rule.getRegistryHost().equals(registryHost)) {
            // a rule of another registry (an import): the handler pulls from there
            entry.put("registryUrl", "https://" + rule.getRegistryHost());
        }
        entry.put("repository", cached.getRepository());
        entry.put("reference", cached.getDigest() != null ? cached.getDigest()
                : cached.getTag() != null ? cached.getTag() : "latest");
        if (used.add(rule)) {
            allowPullsThrough(rule);
        }
        return new Entry(entry, cached.toString());
    }

    /**
     * The pulls under the rule's prefix; and, for a rule whose creation template tags the repositories it creates,
     * ecr:TagResource for those tag keys, since ECR tags a first pull's repository as the puller. The custom resource
     * waits for the rule (and its creation template): they must exist before the first pull.
     */
    private void allowPullsThrough(IPullThroughCacheRule rule) {
        allowOn(pulls, rule, REPOSITORIES_REASON, rule instanceof PullThroughCacheRule owned
                && owned.getCreationTemplate() != null ? owned.getCreationTemplate().getResourceTags().keySet() : Set.of());
        warnOfPlaceholderCredential(rule);
    }

    /** A credential secret made by this app starts with a placeholder token, which the upstream refuses. */
    private void warnOfPlaceholderCredential(IPullThroughCacheRule rule) {
        ISecret credential = rule instanceof PullThroughCacheRule owned ? owned.getUpstream().getCredential() : null;
        if (credential != null && credential.getNode().getScope() instanceof UpstreamCredentialSecret made) {
            String name = made.getSecretName();
            // a token would print as ${Token[...]}: name the construct instead
            String secretId = Tokens.isUnresolved(name) ? "<the name of secret " + made.getNode().getPath() + ">" : name;
            Annotations.of(this).addWarningV2("@pullthroughcache/warmer:placeholder-credential", "Cache warmer "
                    + getNode().getPath() + " pulls through rule '" + rule.getRepositoryPrefix() + "', whose credential "
                    + "secret " + made.getNode().getPath() + " is created holding a placeholder access token: its "
                    + "images fail to warm until you put the registry's token in (aws secretsmanager put-secret-value "
                    + "--secret-id " + secretId + " --secret-string '{\"username\":\"...\",\"accessToken\":\"...\"}'), "
                    + "then run the warmer again (its schedule, or a deploy that changes its images)");
        }
    }

    /** The rules an image is matched against, asked again for each image: a cache's rules may grow. */
    private static Supplier<List<? extends IPullThroughCacheRule>> rulesOf(CacheWarmerProps props) {
        if ((props.getCache() == null) == (props.getRules() == null)) {
            throw new IllegalArgumentException("CacheWarmerProps: give exactly one of cache and rules (got "
                    + (props.getCache() == null ? "neither" : "both") + "): the rules that serve the images to warm");
        }
        ICacheModel cache = props.getCache();
        List<IPullThroughCacheRule> given = props.getRules();
        // a cache may get its rules after its warmer: each image is matched as it is added
        if (cache == null && given.isEmpty()) {
            throw new IllegalArgumentException("CacheWarmerProps.rules has no rule: nothing could serve an image");
        }
        return cache != null ? cache::getServed : () -> given;
    }

    /** Refuses an empty list or a platform not written os/architecture[/variant]; the copier's too. */
    static void checkPlatforms(String property, List<String> platforms, String absentMeans) {
        if (platforms.isEmpty()) {
            throw new IllegalArgumentException(property + " is empty: give one or more platforms such as "
                    + "'linux/amd64', or leave it out for " + absentMeans);
        }
        for (String platform : platforms) {
            if (platform == null || !PLATFORM.matcher(platform).matches()) {
                throw new IllegalArgumentException(property + ": '" + platform + "' is invalid: expected "
                        + "os/architecture[/variant] in lowercase, such as 'linux/amd64', 'linux/arm64' or 'linux/arm/v7'");
            }
        }
    }
}
