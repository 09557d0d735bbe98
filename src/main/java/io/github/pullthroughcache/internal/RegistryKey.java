package io.github.pullthroughcache.internal;

import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;

/**
 * Which ECR registry (account and region) a stack deploys into, for limits that hold per registry.
 * Internal: not part of the public API.
 */
public final class RegistryKey {

    private RegistryKey() {
    }

    /**
     * Two stacks with an unresolved environment may or may not share a registry, so each counts as its own:
     * a limit is never claimed broken on a guess.
     *
     * @param stack the stack
     * @return {@code account/region}, or {@code stack <path>} when either is unresolved
     */
    public static String of(Stack stack) {
        String account = stack.getAccount();
        String region = stack.getRegion();
        if (Token.isUnresolved(account) || Token.isUnresolved(region)) {
            return "stack " + stack.getNode().getPath();
        }
        return account + "/" + region;
    }
}
