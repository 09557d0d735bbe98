package io.github.pullthroughcache.operations;

import io.github.pullthroughcache.monitoring.CacheMetrics;
import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.HandlerSchedule;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.internal.WholeDays;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.ImageReference;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.scheduler.Schedule;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.constructs.Construct;

/**
 * Deletes the images of a cache that nobody pulled for a while: a function on a schedule (daily by default) that
 * lists the repositories under the cache's prefixes and deletes each image whose last recorded pull is older than
 * {@code unpulledFor}. An image never pulled since the cache stored it has no recorded pull: its age counts from
 * the time it was stored ({@code imagePushedAt}). ECR's lifecycle rules cannot do this: by last pull they can only
 * archive ({@code CreationTemplateOptions.archiveUnpulledAfter}).
 *
 * <p>It never deletes an image the app uses: the images the cache routes and warms ({@link ICacheModel#getImagesInUse},
 * read when the app synthesizes), by tag or digest per repository; nor an archived image, nor a platform
 * manifest that a kept image index references. It looks at each batch once more just before deleting it, so that an
 * image pulled meanwhile stays. With {@code deleteEmptyRepositories} it deletes a repository it emptied (without
 * force). Each run publishes {@code ImagesEvicted}, {@code BytesFreed} and {@code RepositoriesDeleted} (namespace
 * {@code PullThroughCache}, dimension {@code Cache}) and logs every image it deleted. Pulls by the cache's warmer do
 * not count as use once the cache excludes the warmer's role from pull-time updates, which it does when it evicts.
 *
 * <p>Children: {@code Handler} with {@code HandlerRole}, {@code HandlerPolicy} and {@code HandlerLogs};
 * {@code Schedule} with {@code ScheduleRole} and {@code SchedulePolicy}. The role may list the registry's
 * repositories, and describe and delete images (and, with {@code deleteEmptyRepositories}, delete repositories)
 * under the cache's prefixes only.
 */
public class ImageEvictor extends Construct {

    /** When the evictor runs unless told otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.days(1);

    private static final String LIST_REASON = "ecr:DescribeRepositories lists the registry's repositories, which it "
            + "cannot filter by prefix; the function keeps those under the cache's prefixes and acts on them only.";
    private static final String PREFIXES_REASON = "Images are described and deleted under the cache's prefixes only, "
            + "in repositories that ECR creates on first pulls.";

    private final ICacheModel cache;
    private final PolicyStatement evict;
    private final ManagedPolicy policy;
    private final Function function;
    private final Schedule schedule;
    private final List<String> prefixes = new ArrayList<>();

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the cache, the age and the options
     * @throws IllegalArgumentException when the cache or the age is missing, the age is not a whole number of days of
     *     at least one, or a rule of the cache has the prefix ROOT
     */
    public ImageEvictor(Construct scope, String id, ImageEvictorProps props) {
        super(scope, id);
        if (props.getCache() == null) {
            throw new IllegalArgumentException("ImageEvictorProps.cache is required: the cache whose repositories are evicted");
        }
        this.cache = props.getCache();
        int days = daysOf(props.getUnpulledFor());
        boolean deleteEmpty = Boolean.TRUE.equals(props.getOptions().getDeleteEmptyRepositories());
        List<String> actions = new ArrayList<>(List.of("ecr:DescribeImages", "ecr:BatchDeleteImage"));
        if (deleteEmpty) {
            actions.add("ecr:DeleteRepository");
        }
        this.evict = PolicyStatement.Builder.create().sid("EvictUnderPrefixes").actions(actions).build();
        HandlerFunction handler = HandlerFunction.builder(this, "image-evictor")
                .descriptions("Deletes the images of pull through cache " + cache.getNode().getPath()
                        + " that were not pulled for " + days + " days",
                        "Lists repositories; describes and deletes images under the cache's prefixes only")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("ListRepositories")
                        .actions(List.of("ecr:DescribeRepositories"))
                        .resources(List.of("*"))
                        .build(), evict))
                .wildcards(LIST_REASON, List.of("*"))
                .limits(Duration.minutes(15), 256)
                .logRetention(props.getOptions().getLogRetention())
                .reasons("The evictor runs on its schedule, one run at a time.",
                        "A failed run is in the log; the next run deletes what this one missed.",
                        "The log holds repository names, digests, tags, sizes and dates.")
                .create();
        this.function = handler.function();
        this.policy = handler.role().policy();
        function.addEnvironment(CacheMetrics.ENVIRONMENT, CacheMetrics.cacheName(cache));

        Map<String, Object> input = new LinkedHashMap<>();
        input.put("Prefixes", Lazy.list(() -> List.copyOf(prefixes)));
        input.put("MaxAgeDays", days);
        input.put("DeleteEmptyRepositories", deleteEmpty);
        // read when the app synthesizes: images routed or warmed after this construct are kept too
        input.put("InUse", Lazy.any(this::imagesToKeep));
        ScheduleExpression expression = props.getOptions().getSchedule() != null ? props.getOptions().getSchedule()
                : ScheduleExpression.rate(DEFAULT_INTERVAL);
        this.schedule = HandlerSchedule.create(this, function, expression, input,
                "Deletes the images of " + cache.getNode().getPath() + " not pulled for " + days + " days");
        // every prefix the cache serves, those of rules and copied registries added after this construct too
        cache.forEachServed(this::cover);
    }

    /** Evicts under the prefix of a rule or copied registry too. */
    private void cover(IPullThroughCacheRule rule) {
        String prefix = rule.getRepositoryPrefix();
        if (RepositoryPrefix.ROOT.equals(prefix)) {
            throw new IllegalArgumentException("Images of pull through cache " + cache.getNode().getPath() + " cannot be "
                    + "evicted: its rule '" + prefix + "' (" + rule.getUpstream().getDisplayName() + ") caches into the "
                    + "whole registry, and the evictor works only in repositories under a prefix. Give that rule a "
                    + "prefix, or leave evictUnpulledAfter out");
        }
        prefixes.add(Tokens.isUnresolved(prefix) ? prefix : RepositoryPrefix.toPath(prefix));
        evict.addResources(rule.getRepositoryArnPattern());
        NagAcknowledgements.acknowledgeResources(policy, "AwsSolutions-IAM5", PREFIXES_REASON,
                List.of(rule.getRepositoryArnPattern()));
    }

    /**
     * The images the evictor keeps: those the cache routes and warms, as tags and digests per cached repository.
     */
    private Map<String, List<String>> imagesToKeep() {
        Map<String, Set<String>> keep = new TreeMap<>();
        List<IPullThroughCacheRule> served = cache.getServed();
        for (String image : cache.getImagesInUse()) {
            ImageReference cached = PullThroughCacheRule.serving(served, image, cache.getNode().getPath(),
                    "Add its registry to the cache").cachedReference(image);
            Set<String> references = keep.computeIfAbsent(cached.getRepository(), repository -> new TreeSet<>());
            if (cached.getDigest() != null) {
                references.add(cached.getDigest());
            }
            if (cached.getTag() != null || cached.getDigest() == null) {
                references.add(cached.getTag() != null ? cached.getTag() : "latest");
            }
        }
        Map<String, List<String>> lists = new LinkedHashMap<>();
        keep.forEach((repository, references) -> lists.put(repository, List.copyOf(references)));
        return lists;
    }

    private static int daysOf(Duration age) {
        if (age == null) {
            throw new IllegalArgumentException("ImageEvictorProps.unpulledFor is required: how long an image may go "
                    + "unpulled before it is deleted, such as Duration.days(90)");
        }
        return WholeDays.of("evictUnpulledAfter", age);
    }

    /** @return the function that deletes the images */
    public Function getFunction() {
        return function;
    }

    /** @return the schedule that runs it */
    public Schedule getSchedule() {
        return schedule;
    }
}
