package io.github.pullthroughcache.rule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import software.amazon.awscdk.Token;
import software.constructs.IConstruct;

/**
 * The rules of each registry (account and region) in an app, so that limits that hold per registry are
 * checked where they are broken: when the rule that breaks them is added.
 */
final class RuleIndex {

    /** ECR's quota of pull through cache rules per registry. */
    static final int MAX_RULES_PER_REGISTRY = 50;

    private static final Map<IConstruct, RuleIndex> BY_APP = Collections.synchronizedMap(new WeakHashMap<>());

    private final Map<String, List<PullThroughCacheRule>> byRegistry = new LinkedHashMap<>();

    private RuleIndex() {
    }

    static RuleIndex of(IConstruct scope) {
        return BY_APP.computeIfAbsent(scope.getNode().getRoot(), root -> new RuleIndex());
    }

    synchronized void register(String registry, PullThroughCacheRule rule, String prefix) {
        List<PullThroughCacheRule> rules = byRegistry.computeIfAbsent(registry, k -> new ArrayList<>());
        if (!Token.isUnresolved(prefix)) {
            String path = RepositoryPrefix.toPath(prefix);
            for (PullThroughCacheRule other : rules) {
                String otherPrefix = other.getRepositoryPrefix();
                if (!Token.isUnresolved(otherPrefix) && RepositoryPrefix.toPath(otherPrefix).equals(path)) {
                    throw new IllegalArgumentException("PullThroughCacheRuleProps.repositoryPrefix '" + prefix
                            + "' of " + rule.getNode().getPath() + " is already used by " + other.getNode().getPath()
                            + " in registry " + registry + ": each rule of a registry needs its own prefix");
                }
            }
        }
        if (rules.size() >= MAX_RULES_PER_REGISTRY) {
            throw new IllegalArgumentException("Too many pull through cache rules for registry " + registry + ": "
                    + rule.getNode().getPath() + " would be rule " + (rules.size() + 1) + ", and ECR allows "
                    + MAX_RULES_PER_REGISTRY + " per account and region");
        }
        rules.add(rule);
    }

    synchronized List<PullThroughCacheRule> rules(String registry) {
        return List.copyOf(byRegistry.getOrDefault(registry, List.of()));
    }
}
