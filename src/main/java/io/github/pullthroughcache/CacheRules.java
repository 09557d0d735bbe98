package io.github.pullthroughcache;

import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.Collection;

/** What a cache of this stack and an imported cache do alike with their rules. */
final class CacheRules {

    private CacheRules() {
    }

    /**
     * @param rules the cache's rules
     * @param repositoryPrefix a prefix, such as {@code ecr-public}
     * @param cache the cache, for the error
     * @param <T> the rules' type
     * @return the rule of that prefix
     * @throws IllegalArgumentException when the cache has none, naming the prefixes it has
     */
    static <T extends IPullThroughCacheRule> T withPrefix(Collection<T> rules, String repositoryPrefix, IPullThroughCache cache) {
        return rules.stream()
                .filter(rule -> rule.getRepositoryPrefix().equals(repositoryPrefix))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("PullThroughCache " + cache.getNode().getPath()
                        + " has no rule with prefix '" + repositoryPrefix + "'; its prefixes: "
                        + rules.stream().map(IPullThroughCacheRule::getRepositoryPrefix).toList()));
    }
}
