package io.github.pullthroughcache.operations;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * Deletes, when its stack is deleted, the repositories that ECR created for a cache under its prefixes, with their
 * images: what aws-cdk's {@code Repository.emptyOnDelete} does for a repository of the stack, for the repositories
 * that a pull through cache creates by itself. The cache's creation templates tag each repository they create with
 * {@value #TAG_KEY} and the cache's own value ({@link #tagFor}); only a repository under a prefix with that tag is
 * deleted, never one that someone created under the prefix, nor one created before the option was on. A custom
 * resource deleted for another reason (the option turned off, a replacement) deletes nothing: the function acts only
 * while CloudFormation deletes the stack.
 *
 * <p>{@code PullThroughCache} creates it with {@code removeCachedRepositoriesOnDestroy(true)}, tags its templates,
 * and makes every rule and copied registry depend on it, so that they go first and no pull or copy fills a repository
 * it deleted.
 *
 * <p>Children: {@code Handler} with {@code HandlerRole}, {@code HandlerPolicy} and {@code HandlerLogs};
 * {@code Resource} ({@code Custom::EcrCachedRepositories}). The role may list the registry's repositories, read the
 * tags of and delete (only when tagged for this cache) those under the prefixes, and describe its own stack.
 */
public class CachedRepositoryRemover extends Construct {

    /** The tag the cache's creation templates put on each repository they create. */
    public static final String TAG_KEY = "pull-through-cache:created-for";

    private static final String LIST_REASON = "ecr:DescribeRepositories lists the registry's repositories, which it "
            + "cannot filter by prefix; the function keeps those under the cache's prefixes.";
    private static final String PREFIXES_REASON = "Repositories under the cache's prefixes, created by ECR on first "
            + "pulls; deleted only when tagged for this cache (aws:ResourceTag condition).";

    private final ICacheModel cache;
    private final CustomResource resource;
    private final PolicyStatement readTags;
    private final PolicyStatement delete;
    private final ManagedPolicy policy;
    private final List<String> prefixes = new ArrayList<>();

    /**
     * @param scope the parent, such as the cache
     * @param id the construct id
     * @param cache the cache, whose templates tag the repositories with {@link #tagFor}: it works under each prefix
     *     the cache serves, those of rules and copied registries added later too
     */
    public CachedRepositoryRemover(Construct scope, String id, ICacheModel cache) {
        super(scope, id);
        this.cache = cache;
        String tagValue = tagFor(cache);
        this.readTags = PolicyStatement.Builder.create().sid("ReadTags")
                .actions(List.of("ecr:ListTagsForResource")).build();
        this.delete = PolicyStatement.Builder.create().sid("DeleteTaggedRepositories")
                .actions(List.of("ecr:DeleteRepository"))
                .conditions(Map.of("StringEquals", Map.of("aws:ResourceTag/" + TAG_KEY, tagValue)))
                .build();
        HandlerFunction handler = HandlerFunction.builder(this, "cached-repository-remover")
                .descriptions("Custom::EcrCachedRepositories: deletes the repositories ECR created for pull through "
                        + "cache " + cache.getNode().getPath() + " when its stack is deleted",
                        "Deletes repositories under the cache's prefixes tagged for it, when its stack is deleted")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("ListRepositories")
                        .actions(List.of("ecr:DescribeRepositories"))
                        .resources(List.of("*"))
                        .build(), readTags, delete, PolicyStatement.Builder.create()
                        .sid("OwnStackStatus")
                        .actions(List.of("cloudformation:DescribeStacks"))
                        .resources(List.of(Aws.STACK_ID))
                        .build()))
                .wildcards(LIST_REASON, List.of("*"))
                .limits(Duration.minutes(15), 256)
                .reasons("The function runs when CloudFormation creates, updates or deletes its custom resource.",
                        "A failed deletion is in the custom resource's status; deleting the stack again retries it.",
                        "The log holds the names of the repositories it deleted.")
                .create();
        this.policy = handler.role().policy();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("Prefixes", Lazy.list(() -> List.copyOf(prefixes)));
        properties.put("TagKey", TAG_KEY);
        properties.put("TagValue", tagValue);
        properties.put("Owner", ConstructIds.owner(this));
        this.resource = CustomResource.Builder.create(this, "Resource")
                .serviceToken(handler.function().getFunctionArn())
                .resourceType("Custom::EcrCachedRepositories")
                .properties(properties)
                .serviceTimeout(Duration.minutes(15))
                .build();
        cache.forEachServed(this::cover);
    }

    /**
     * @param cache the cache
     * @return the tag value that marks the repositories created for the cache
     */
    public static String tagFor(IConstruct cache) {
        return ConstructIds.owner(cache);
    }

    /** Removes under the prefix too; the rule or copied registry goes before the repositories do. */
    private void cover(IPullThroughCacheRule rule) {
        String prefix = rule.getRepositoryPrefix();
        if (RepositoryPrefix.ROOT.equals(prefix)) {
            throw new IllegalArgumentException("PullThroughCache " + cache.getNode().getPath() + " cannot remove its "
                    + "cached repositories on destroy: rule '" + prefix + "' (" + rule.getUpstream().getDisplayName()
                    + ") caches into the whole registry. Give that rule a prefix, or leave "
                    + "removeCachedRepositoriesOnDestroy out");
        }
        prefixes.add(Tokens.isUnresolved(prefix) ? prefix : RepositoryPrefix.toPath(prefix));
        readTags.addResources(rule.getRepositoryArnPattern());
        delete.addResources(rule.getRepositoryArnPattern());
        NagAcknowledgements.acknowledgeResources(policy, "AwsSolutions-IAM5", PREFIXES_REASON,
                List.of(rule.getRepositoryArnPattern()));
        rule.getNode().addDependency(resource);
    }

    /** @return the custom resource that deletes the repositories */
    public CustomResource getResource() {
        return resource;
    }
}
