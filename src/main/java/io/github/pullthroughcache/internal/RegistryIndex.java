package io.github.pullthroughcache.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
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
     * @param item the construct, checked against {@link #of} before
     */
    public synchronized void add(T item) {
        registry(item).add(item);
    }

    /**
     * @param scope any construct
     * @return the constructs of the registry of the scope's stack, in the order they were added
     */
    public synchronized List<T> of(IConstruct scope) {
        return List.copyOf(registry(scope));
    }

    private List<T> registry(IConstruct scope) {
        return byApp.computeIfAbsent(scope.getNode().getRoot(), root -> new LinkedHashMap<>())
                .computeIfAbsent(RegistryKey.of(Stack.of(scope)), key -> new ArrayList<>());
    }
}
