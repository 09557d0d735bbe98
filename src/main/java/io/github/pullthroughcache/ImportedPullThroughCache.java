package io.github.pullthroughcache;

import io.github.pullthroughcache.internal.AccountIds;
import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.FactsScope;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.SupportedRegions;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleAttributes;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;

/**
 * A cache of another stack, account or region ({@link PullThroughCache#fromCacheAttributes}): its rules, imported
 * (children {@code Rules/<prefix in PascalCase>}), to route images through and grant pulls on. Nothing is created.
 */
final class ImportedPullThroughCache extends PullThroughCacheBase {

    /** The id of the warning about a cache of another region, which a consumer without endpoints acknowledges. */
    static final String OTHER_REGION_WARNING = "@pullthroughcache/import:other-region";

    private final List<IPullThroughCacheRule> rules = new ArrayList<>();
    private final List<IPullThroughCacheRule> copiedRegistries = new ArrayList<>();
    private final String registryHost;
    private final CacheConsumers sharedWith;

    ImportedPullThroughCache(Construct scope, String id, PullThroughCacheAttributes attributes) {
        super(scope, id);
        StackFacts stack = StackFacts.of(scope);
        String region = attributes.getRegion() != null ? attributes.getRegion() : stack.region();
        checkAttributes(attributes);
        if (!Tokens.isUnresolved(region) && !Tokens.isUnresolved(stack.region()) && !region.equals(stack.region())) {
            // a VPC with a NAT gateway reaches it: a warning, which a consumer that creates no endpoints acknowledges
            Annotations.of(this).addWarningV2(OTHER_REGION_WARNING, "PullThroughCacheAttributes.region '" + region
                    + "' is not the region of stack " + stack.stack().getNode().getPath() + " (" + stack.region()
                    + "): VPC endpoints reach the registry of their own region only, so tasks in a VPC without a NAT "
                    + "gateway could not pull through that cache. Use a cache in " + stack.region() + ", or replicate "
                    + "the cached repositories to it");
        }
        this.sharedWith = attributes.getSharedWith();
        Construct rulesScope = new FactsScope(this, "Rules", stack);
        for (UpstreamRegistry upstream : attributes.getUpstreams()) {
            String defaultPrefix = upstream.getDefaultRepositoryPrefix();
            String prefix = attributes.getRepositoryPrefixes().getOrDefault(defaultPrefix, defaultPrefix);
            String ruleId = ConstructIds.pascalCase(prefix.toLowerCase(Locale.ROOT));
            // a copied registry is imported as a rule is: a prefix of that registry, routed and granted alike
            (upstream.isCopied() ? copiedRegistries : rules).add(PullThroughCacheRule.fromRuleAttributes(rulesScope, ruleId, PullThroughCacheRuleAttributes.builder()
                    .upstream(upstream)
                    .repositoryPrefix(prefix)
                    .account(attributes.getAccount())
                    .region(attributes.getRegion())
                    .build()));
        }
        this.registryHost = rules.isEmpty() ? null : rules.get(0).getRegistryHost();
    }

    /** Checks what the user gave, naming the class the user called rather than the rule attributes made from it. */
    private static void checkAttributes(PullThroughCacheAttributes attributes) {
        AccountIds.check("PullThroughCacheAttributes.account", attributes.getAccount());
        if (attributes.getRegion() != null && !Tokens.isUnresolved(attributes.getRegion())) {
            SupportedRegions.check("PullThroughCacheAttributes.region", attributes.getRegion());
        }
        attributes.getRepositoryPrefixes().forEach((upstreamPrefix, prefix) -> RepositoryPrefix.validate(
                "PullThroughCacheAttributes.repositoryPrefixes['" + upstreamPrefix + "']", prefix,
                "ROOT is only for an ECR to ECR rule"));
    }

    @Override
    public String imageUri(String imageReference) {
        String uri = ruleFor(imageReference).imageUri(imageReference);
        recordImage(imageReference);
        return uri;
    }

    @Override
    public ContainerImage containerImage(String imageReference) {
        IPullThroughCacheRule rule = ruleFor(imageReference);
        recordImage(imageReference);
        // the rule lives in another stack: nothing here to wait for
        return new CacheContainerImage(rule.imageUri(imageReference), rule::grantPull, List.of());
    }

    @Override
    public Grant grantPull(IGrantable grantee) {
        return combined(grantee, getServed().stream().map(rule -> rule.grantPull(grantee)).toList(),
                "pull through cache " + getNode().getPath() + ", which has no rule");
    }

    @Override
    public List<IPullThroughCacheRule> getRules() {
        return List.copyOf(rules);
    }

    @Override
    public List<IPullThroughCacheRule> getCopiedRegistries() {
        return List.copyOf(copiedRegistries);
    }

    @Override
    public String getRegistryHost() {
        return registryHost;
    }

    /** @return who the cache is shared with, as {@link PullThroughCacheAttributes#getSharedWith()} says, or {@code null} */
    CacheConsumers getSharedWith() {
        return sharedWith;
    }

    private IPullThroughCacheRule ruleFor(String imageReference) {
        return PullThroughCacheRule.serving(getServed(), imageReference, "PullThroughCache " + getNode().getPath(),
                "Name the upstream in PullThroughCacheAttributes.upstreams, if the cache has a rule for it");
    }
}
