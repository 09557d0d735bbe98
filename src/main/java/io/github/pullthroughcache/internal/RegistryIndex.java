package io.github.pullthroughcache.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Predicate;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/**
 * The constructs of one kind in each registry (account and region) of an app, so that what ECR allows once
 * per registry is checked when the construct that breaks it is added. Internal: not part of the public API.
 *
 * @param <T> the kind of construct
 */
public final class RegistryIndex<T extends IConstruct> {

    private final Map<IConstruct, Map<String, List<T>>> byApp = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Adds a construct to the registry of its stack.
     *
     * @param stack the construct's stack
     * @param item the construct, checked against {@link #of} before
     */
    public synchronized void add(Stack stack, T item) {
        registry(stack).add(item);
    }

    /**
     * Adds a construct that may share its registry with others of its kind, except where one of them must be the
     * registry's only one (a setting owned whole, such as a REPLACE registry policy).
     *
     * @param stack the construct's stack
     * @param item the construct
     * @param sole whether a construct must be its registry's only one
     * @return {@code null} when added; else the construct already there that it clashes with, and it is not added
     */
    public synchronized T addUnlessSole(Stack stack, T item, Predicate<T> sole) {
        for (T other : registry(stack)) {
            if (sole.test(item) || sole.test(other)) {
                return other;
            }
        }
        registry(stack).add(item);
        return null;
    }

    /**
     * @param stack a stack
     * @return the constructs of the stack's registry, in the order they were added
     */
    public synchronized List<T> of(Stack stack) {
        return List.copyOf(registry(stack));
    }

    private List<T> registry(Stack stack) {
        return byApp.computeIfAbsent(StackFacts.app(stack), app -> new LinkedHashMap<>())
                .computeIfAbsent(StackFacts.registryKey(stack), key -> new ArrayList<>());
    }
}
