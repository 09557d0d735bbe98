package io.github.pullthroughcache.internal;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import software.amazon.awscdk.Stack;
import software.constructs.IConstruct;

/**
 * What the constructs read off their stack, read once per stack: a stack's environment and app never change,
 * and every read is a jsii round trip. Internal: not part of the public API.
 */
public final class StackFacts {

    private record Facts(String account, String region, String partition, String registryKey,
            String registryHost, IConstruct app) {
    }

    private static final Map<Stack, Facts> FACTS = Collections.synchronizedMap(new WeakHashMap<>());

    /** The stack of constructs of this library that asked for theirs: their children find it here. */
    private static final Map<IConstruct, Stack> STACKS = Collections.synchronizedMap(new WeakHashMap<>());

    private StackFacts() {
    }

    /**
     * {@code Stack.of(scope)}, answered in Java for a scope that is a stack or a construct of this library.
     *
     * @param scope a construct
     * @param self the construct asking, whose children may ask later
     * @return the stack
     */
    public static Stack stackOf(IConstruct scope, IConstruct self) {
        Stack stack = scope instanceof Stack given ? given : STACKS.get(scope);
        if (stack == null) {
            stack = Stack.of(scope);
        }
        STACKS.put(self, stack);
        return stack;
    }

    /**
     * Which ECR registry (account and region) a stack deploys into, for limits that hold per registry. Two stacks
     * with an unresolved environment may or may not share a registry, so each counts as its own: a limit is
     * never claimed broken on a guess.
     *
     * @param stack the stack
     * @return {@code account/region}, or {@code stack <path>} when either is unresolved
     */
    public static String registryKey(Stack stack) {
        return facts(stack).registryKey();
    }

    /**
     * @param stack the stack
     * @return the root of its construct tree (the app)
     */
    public static IConstruct app(Stack stack) {
        return facts(stack).app();
    }

    /**
     * @param stack the stack
     * @return its account, a token when environment-agnostic
     */
    public static String account(Stack stack) {
        return facts(stack).account();
    }

    /**
     * @param stack the stack
     * @return its region, a token when environment-agnostic
     */
    public static String region(Stack stack) {
        return facts(stack).region();
    }

    /**
     * @param stack the stack
     * @return its partition, a token
     */
    public static String partition(Stack stack) {
        return facts(stack).partition();
    }

    /**
     * @param stack the stack
     * @return its private registry host, {@code <account>.dkr.ecr.<region>.<url suffix>}
     */
    public static String registryHost(Stack stack) {
        return facts(stack).registryHost();
    }

    private static Facts facts(Stack stack) {
        return FACTS.computeIfAbsent(stack, s -> {
            String account = s.getAccount();
            String region = s.getRegion();
            String registryKey = Tokens.isUnresolved(account) || Tokens.isUnresolved(region)
                    ? "stack " + s.getNode().getPath() : account + "/" + region;
            String registryHost = account + ".dkr.ecr." + region + "." + s.getUrlSuffix();
            return new Facts(account, region, s.getPartition(), registryKey, registryHost, s.getNode().getRoot());
        });
    }
}
