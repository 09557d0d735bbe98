package io.github.pullthroughcache.internal;

import software.amazon.awscdk.Stack;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * What the constructs of the library read off their stack, read once per stack and only when one needs it: every
 * read is a jsii round trip. It is a construct of its own under the stack (id {@value #ID}), so the facts live in
 * the construct tree, with the stack. Internal: not part of the public API.
 */
public final class StackFacts extends Construct {

    /** The facts' construct id, under their stack. */
    public static final String ID = "PullThroughCacheStackFacts";

    private final Stack stack;
    private String account;
    private String region;
    private String partition;
    private String registryKey;
    private String registryHost;
    private RegistryIndex registryIndex;

    private StackFacts(Stack stack) {
        super(stack, ID);
        this.stack = stack;
    }

    /**
     * @param scope a construct
     * @return the facts of its stack, made on first use
     */
    public static StackFacts of(IConstruct scope) {
        if (scope instanceof FactsScope known) {
            return known.facts();
        }
        Stack stack = scope instanceof Stack given ? given : Stack.of(scope);
        return stack.getNode().tryFindChild(ID) instanceof StackFacts facts ? facts : new StackFacts(stack);
    }

    /** @return the stack */
    public Stack stack() {
        return stack;
    }

    /** @return its account, a token when environment-agnostic */
    public String account() {
        if (account == null) {
            account = stack.getAccount();
        }
        return account;
    }

    /** @return its region, a token when environment-agnostic */
    public String region() {
        if (region == null) {
            region = stack.getRegion();
        }
        return region;
    }

    /** @return its partition, literal when the region is known (with the partition literals flag), else a token */
    public String partition() {
        if (partition == null) {
            partition = stack.getPartition();
        }
        return partition;
    }

    /**
     * Which ECR registry (account and region) the stack deploys into, for limits that hold per registry. Two stacks
     * with an unresolved environment may or may not share a registry, so each counts as its own: a limit is
     * never claimed broken on a guess.
     *
     * @return {@code account/region}, or {@code stack <path>} when either is unresolved
     */
    public String registryKey() {
        if (registryKey == null) {
            registryKey = Tokens.isUnresolved(account()) || Tokens.isUnresolved(region())
                    ? "stack " + stack.getNode().getPath() : account() + "/" + region();
        }
        return registryKey;
    }

    /** @return the stack's private registry host, {@code <account>.dkr.ecr.<region>.<url suffix>} */
    public String registryHost() {
        if (registryHost == null) {
            registryHost = account() + ".dkr.ecr." + region() + "." + stack.getUrlSuffix();
        }
        return registryHost;
    }

    /** @return what the library knows of every registry of the stack's app */
    public RegistryIndex registryIndex() {
        if (registryIndex == null) {
            registryIndex = RegistryIndex.of(stack);
        }
        return registryIndex;
    }
}
