package io.github.pullthroughcache;

import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.registry.CacheConsumers;
import java.util.List;
import software.amazon.awscdk.interfaces.ResourceEnvironment;

/**
 * Where a consumed cache lives, seen from its consumer's stack: the account and region of its registry (those of
 * its rules), and the checks a {@link PullThroughCacheConsumer} makes on them. A check that meets a token is skipped.
 */
final class CacheLocation {

    private final IPullThroughCache cache;
    private final StackFacts consumer;
    private final String account;
    private final String region;

    CacheLocation(IPullThroughCache cache, StackFacts consumer) {
        this.cache = cache;
        this.consumer = consumer;
        ResourceEnvironment env = cache.getRules().get(0).getEnv();
        this.account = env.getAccount();
        this.region = env.getRegion();
    }

    /**
     * @return the account of the cache's registry when the consumer's endpoints must name it: known, and not known
     *     to be the consumer's (an environment-agnostic consumer names it too); else {@code null}
     */
    String otherAccountToAllow() {
        if (account == null || Tokens.isUnresolved(account)) {
            return null;
        }
        return Tokens.isUnresolved(consumer.account()) || !account.equals(consumer.account()) ? account : null;
    }

    /** @return whether the cache's registry is known to be of another region than the consumer's */
    boolean isOtherRegion() {
        return known(region, consumer.region()) && !region.equals(consumer.region());
    }

    /** @return whether the cache's registry is known to be of another account than the consumer's */
    boolean isOtherAccount() {
        return known(account, consumer.account()) && !account.equals(consumer.account());
    }

    /**
     * Refuses a cache of another region, whose registry this region's interface endpoints do not serve, and whose
     * registry the warmer, which takes its token in its own region, does not reach.
     */
    void checkRegion(boolean endpoints, boolean warm) {
        if (!isOtherRegion() || (!endpoints && !warm)) {
            return;
        }
        String what = endpoints
                ? "the consumer's VPC endpoints serve the registries of their own region only"
                : "the warmer takes its registry token in its own region, where that registry is not served";
        throw new IllegalArgumentException("PullThroughCacheConsumerProps.cache " + cache.getNode().getPath()
                + " is in region '" + region + "', not in the region of stack " + consumer.stack().getNode().getPath()
                + " (" + consumer.region() + "): " + what + ". Use a cache in " + consumer.region() + " (or replicate "
                + "the cached repositories to it), or give endpoints(false) and warm(false) to a VPC that reaches "
                + region + " itself, through a NAT gateway");
    }

    /** @return the errors of a cache of another account that is known not to be shared with the consumer's */
    List<String> sharingErrors() {
        if (!isOtherAccount()) {
            return List.of();
        }
        CacheConsumers sharing;
        String source;
        if (cache instanceof PullThroughCache owned) {
            sharing = owned.getSharedWith();
            source = "";
        } else if (cache instanceof ImportedPullThroughCache imported && imported.getSharedWith() != null) {
            sharing = imported.getSharedWith();
            source = " (PullThroughCacheAttributes.sharedWith)";
        } else {
            // an import that does not say: the cache's registry decides at the first pull
            return List.of();
        }
        if (sharing != null && (sharing.getAccounts().isEmpty() || sharing.getAccounts().contains(consumer.account()))) {
            return List.of();
        }
        return List.of("PullThroughCacheConsumerProps.cache " + cache.getNode().getPath() + " (account " + account
                + ") is shared with " + (sharing == null ? "no one" : sharing + source + ", not with " + consumer.account())
                + ": its registry would refuse the pulls of account " + consumer.account() + " (stack "
                + consumer.stack().getNode().getPath() + "). Share it with that account in the cache's app, with "
                + "PullThroughCacheProps.sharedWith(CacheConsumers.organization(...)) or CacheConsumers.accounts(...)");
    }

    private static boolean known(String one, String other) {
        return one != null && other != null && !Tokens.isUnresolved(one) && !Tokens.isUnresolved(other);
    }
}
