package io.github.pullthroughcache.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The constructs of the library in each registry (account and region) of one app, so that what ECR allows once per
 * registry is checked when the construct that breaks it is added, across every stack of the app. It is a construct
 * of its own under the app's root (id {@value #ID}): the state lives in the app's construct tree, and two apps in
 * one JVM never see each other's. Internal: not part of the public API.
 */
public final class RegistryIndex extends Construct {

    /** The index's construct id, under the root of the app. */
    public static final String ID = "PullThroughCacheRegistryIndex";

    /**
     * A kind of construct counted per registry; two kinds of one name are one kind.
     *
     * @param name what the kind is called, such as {@code pull through cache rule}
     * @param <T> what the index holds of one
     */
    public record Kind<T>(String name) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What the index knows of a pull through cache rule, for the checks of other building blocks. */
    public record CacheRule(String prefix, String upstream, IConstruct construct) {
        /** @return {@code <prefix> (<upstream>)}, for messages */
        @Override
        public String toString() {
            return prefix + " (" + upstream + ")";
        }
    }

    /** The pull through cache rules of the app. */
    public static final Kind<CacheRule> RULES = new Kind<>("pull through cache rule");

    private final Map<Kind<?>, Map<String, List<Object>>> registries = new HashMap<>();

    private RegistryIndex(Construct root) {
        super(root, ID);
    }

    /**
     * @param scope any construct of the app
     * @return the app's index, made on first use
     */
    static RegistryIndex of(IConstruct scope) {
        IConstruct root = scope.getNode().getRoot();
        IConstruct existing = root.getNode().tryFindChild(ID);
        if (existing instanceof RegistryIndex index) {
            return index;
        }
        if (existing != null || !(root instanceof Construct parent)) {
            throw new IllegalStateException("The root of " + scope.getNode().getPath() + " cannot hold "
                    + "the library's registry index: '" + ID + "' is taken, or the root is no construct");
        }
        return new RegistryIndex(parent);
    }

    /**
     * Adds a construct to its stack's registry.
     *
     * @param kind what it is
     * @param stack its stack's facts
     * @param item what the index keeps of it, checked against {@link #of} before
     * @param <T> the kind
     */
    public synchronized <T> void add(Kind<T> kind, StackFacts stack, T item) {
        registry(kind, stack).add(item);
    }

    /**
     * Adds a construct that may share its registry with others of its kind, except where one of them must be the
     * registry's only one (a setting owned whole, such as a REPLACE registry policy).
     *
     * @param kind what it is
     * @param stack its stack's facts
     * @param item what the index keeps of it
     * @param sole whether an item must be its registry's only one
     * @param <T> the kind
     * @return {@code null} when added; else the item already there that it clashes with, and it is not added
     */
    public synchronized <T> T addUnlessSole(Kind<T> kind, StackFacts stack, T item, Predicate<T> sole) {
        List<T> registry = registry(kind, stack);
        for (T other : registry) {
            if (sole.test(item) || sole.test(other)) {
                return other;
            }
        }
        registry.add(item);
        return null;
    }

    /**
     * @param kind what to list
     * @param stack a stack's facts
     * @param <T> the kind
     * @return the items of the stack's registry, in the order they were added
     */
    public synchronized <T> List<T> of(Kind<T> kind, StackFacts stack) {
        return List.copyOf(registry(kind, stack));
    }

    /**
     * The rules of a stack's registry whose repositories can fall under a prefix: the rule of that prefix, rules
     * under it ({@code team/quay} for {@code team}), the rule above it, and every rule for ROOT or a token.
     *
     * @param stack a stack's facts
     * @param prefix a repository prefix
     * @return the rules, in the order they were added
     */
    public List<CacheRule> rulesServing(StackFacts stack, String prefix) {
        return of(RULES, stack).stream().filter(rule -> RepositoryPrefix.overlaps(prefix, rule.prefix())).toList();
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> registry(Kind<T> kind, StackFacts stack) {
        return (List<T>) registries.computeIfAbsent(kind, k -> new LinkedHashMap<>())
                .computeIfAbsent(stack.registryKey(), key -> new ArrayList<>());
    }
}
