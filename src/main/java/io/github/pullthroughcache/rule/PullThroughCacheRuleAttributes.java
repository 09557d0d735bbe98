package io.github.pullthroughcache.rule;

import java.util.Objects;

/** A pull through cache rule that lives elsewhere, for {@link PullThroughCacheRule#fromRuleAttributes}. */
public final class PullThroughCacheRuleAttributes {

    private final String repositoryPrefix;
    private final UpstreamRegistry upstream;
    private final String upstreamRepositoryPrefix;
    private final String account;
    private final String region;

    private PullThroughCacheRuleAttributes(Builder builder) {
        this.upstream = Objects.requireNonNull(builder.upstream, "PullThroughCacheRuleAttributes.upstream is required");
        this.repositoryPrefix = builder.repositoryPrefix;
        this.upstreamRepositoryPrefix = builder.upstreamRepositoryPrefix;
        this.account = builder.account;
        this.region = builder.region;
    }

    /** @return the rule's prefix, or {@code null} for the upstream's default */
    public String getRepositoryPrefix() {
        return repositoryPrefix;
    }

    /** @return the rule's upstream registry */
    public UpstreamRegistry getUpstream() {
        return upstream;
    }

    /** @return the rule's upstream repository prefix (ECR to ECR), or {@code null} */
    public String getUpstreamRepositoryPrefix() {
        return upstreamRepositoryPrefix;
    }

    /** @return the account of the rule's registry, or {@code null} for the stack's */
    public String getAccount() {
        return account;
    }

    /** @return the region of the rule's registry, or {@code null} for the stack's */
    public String getRegion() {
        return region;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link PullThroughCacheRuleAttributes}. */
    public static final class Builder {
        private String repositoryPrefix;
        private UpstreamRegistry upstream;
        private String upstreamRepositoryPrefix;
        private String account;
        private String region;

        private Builder() {
        }

        /**
         * The registry the rule pulls from. A registry that needs a credential is named without it
         * ({@link UpstreamRegistry#dockerHub()}): the credential belongs to the rule's own registry. Required.
         *
         * @param upstream the upstream registry
         * @return this builder
         */
        public Builder upstream(UpstreamRegistry upstream) {
            this.upstream = upstream;
            return this;
        }

        /**
         * The rule's prefix.
         *
         * <p>Default: the upstream's default prefix ({@code ecr-public}, {@code quay}, {@code docker-hub}...).
         *
         * @param repositoryPrefix the prefix
         * @return this builder
         */
        public Builder repositoryPrefix(String repositoryPrefix) {
            this.repositoryPrefix = repositoryPrefix;
            return this;
        }

        /**
         * The upstream repository prefix of an ECR to ECR rule.
         *
         * <p>Default: none.
         *
         * @param upstreamRepositoryPrefix the upstream prefix
         * @return this builder
         */
        public Builder upstreamRepositoryPrefix(String upstreamRepositoryPrefix) {
            this.upstreamRepositoryPrefix = upstreamRepositoryPrefix;
            return this;
        }

        /**
         * The 12-digit account of the registry that holds the rule.
         *
         * <p>Default: the account of the stack the import is made in.
         *
         * @param account the account
         * @return this builder
         */
        public Builder account(String account) {
            this.account = account;
            return this;
        }

        /**
         * The region of the registry that holds the rule.
         *
         * <p>Default: the region of the stack the import is made in.
         *
         * @param region the region
         * @return this builder
         */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** @return the attributes */
        public PullThroughCacheRuleAttributes build() {
            return new PullThroughCacheRuleAttributes(this);
        }
    }
}
