package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.Tokens;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A registry a {@link ReplicationRule} copies images to: another region of the source account, or a region of
 * another account.
 */
public final class ReplicationDestination {

    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d{1,2}$");

    private final String account;
    private final String region;

    private ReplicationDestination(String account, String region) {
        this.account = account;
        this.region = region;
    }

    /**
     * The registry of the source account in another region (cross-region replication).
     *
     * @param region a region name such as {@code us-east-1}
     * @return the destination
     */
    public static ReplicationDestination region(String region) {
        return new ReplicationDestination(null, checkRegion(region));
    }

    /**
     * The registry of another account (cross-account replication, in the same region or another). That registry
     * must let the source account replicate: give it {@link ReplicaRegistry}, or
     * {@code RegistryPolicy.of(destinationStack).allowReplicationFrom(sourceAccount)}.
     *
     * @param account the destination's 12-digit account ID
     * @param region a region name such as {@code us-east-1}
     * @return the destination
     */
    public static ReplicationDestination account(String account, String region) {
        if (account == null || (!Tokens.isUnresolved(account) && !ACCOUNT.matcher(account).matches())) {
            throw new IllegalArgumentException("ReplicationDestination.account: account '" + account + "' is invalid: "
                    + "expected a 12-digit AWS account ID such as '222222222222'");
        }
        return new ReplicationDestination(account, checkRegion(region));
    }

    private static String checkRegion(String region) {
        if (region == null || (!Tokens.isUnresolved(region) && !REGION.matcher(region).matches())) {
            throw new IllegalArgumentException("ReplicationDestination: region '" + region + "' is invalid: expected "
                    + "a region name such as 'us-east-1' or 'eu-west-1'");
        }
        return region;
    }

    /** @return the destination account, or {@code null} for the source account */
    public String getAccount() {
        return account;
    }

    /** @return the destination region */
    public String getRegion() {
        return region;
    }

    /**
     * @param sourceAccount the account of the replicating registry
     * @return the destination's account: its own, or the source's
     */
    public String accountOrSource(String sourceAccount) {
        return account != null ? account : sourceAccount;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReplicationDestination that && Objects.equals(account, that.account)
                && region.equals(that.region);
    }

    @Override
    public int hashCode() {
        return Objects.hash(account, region);
    }

    @Override
    public String toString() {
        return (account != null ? account : "this account") + "/" + region;
    }
}
