package io.github.pullthroughcache.rule;

import java.util.List;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.IRole;

/** Properties of a {@link PullThroughCacheRule}. */
public final class PullThroughCacheRuleProps {

    private final UpstreamRegistry upstream;
    private final String repositoryPrefix;
    private final String upstreamRepositoryPrefix;
    private final IRole customRole;
    private final List<IGrantable> pullers;

    private PullThroughCacheRuleProps(Builder builder) {
        this.upstream = builder.upstream;
        this.repositoryPrefix = builder.repositoryPrefix;
        this.upstreamRepositoryPrefix = builder.upstreamRepositoryPrefix;
        this.customRole = builder.customRole;
        this.pullers = builder.pullers;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the upstream registry */
    public UpstreamRegistry getUpstream() {
        return upstream;
    }

    /** @return the repository prefix, or {@code null} for the upstream's default */
    public String getRepositoryPrefix() {
        return repositoryPrefix;
    }

    /** @return the upstream repository prefix (ECR to ECR only), or {@code null} */
    public String getUpstreamRepositoryPrefix() {
        return upstreamRepositoryPrefix;
    }

    /** @return the custom role (ECR to ECR only), or {@code null} */
    public IRole getCustomRole() {
        return customRole;
    }

    /** @return the principals allowed to fill the cache through the registry policy; empty for none */
    public List<IGrantable> getPullers() {
        return pullers;
    }

    /** Builds {@link PullThroughCacheRuleProps}. */
    public static final class Builder {
        private UpstreamRegistry upstream;
        private String repositoryPrefix;
        private String upstreamRepositoryPrefix;
        private IRole customRole;
        private List<IGrantable> pullers = List.of();

        private Builder() {
        }

        /**
         * The registry to pull through. Required.
         *
         * @param upstream such as {@link UpstreamRegistry#ECR_PUBLIC}
         * @return this builder
         */
        public Builder upstream(UpstreamRegistry upstream) {
            this.upstream = upstream;
            return this;
        }

        /**
         * The namespace of the cached repositories in this registry: an image is pulled as
         * {@code <account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream repository>}.
         * 2 to 30 characters; {@code ROOT} (the whole registry) only for an ECR to ECR rule.
         *
         * <p>Default: the upstream's default prefix ({@code ecr-public}, {@code quay}, {@code k8s},
         * {@code docker-hub}, {@code github}, {@code gitlab}, {@code azure}, {@code chainguard}, {@code ecr}).
         *
         * @param repositoryPrefix the prefix
         * @return this builder
         */
        public Builder repositoryPrefix(String repositoryPrefix) {
            this.repositoryPrefix = repositoryPrefix;
            return this;
        }

        /**
         * ECR to ECR only: the upstream namespace that the prefix maps to; {@code team-a} maps
         * {@code <prefix>/app} to the upstream's {@code team-a/app}. Not allowed with a ROOT prefix.
         *
         * <p>Default: none (ECR's ROOT: every upstream repository, by its own name).
         *
         * @param upstreamRepositoryPrefix the upstream prefix
         * @return this builder
         */
        public Builder upstreamRepositoryPrefix(String upstreamRepositoryPrefix) {
            this.upstreamRepositoryPrefix = upstreamRepositoryPrefix;
            return this;
        }

        /**
         * ECR to ECR only: the role ECR assumes to pull from the upstream registry. It must trust
         * {@code pullthroughcache.ecr.amazonaws.com}.
         *
         * <p>Default: a role is created with what ECR documents and no more, scoped to the upstream's
         * repositories and this rule's prefix.
         *
         * @param customRole the role
         * @return this builder
         */
        public Builder customRole(IRole customRole) {
            this.customRole = customRole;
            return this;
        }

        /**
         * Roles, users or accounts allowed to fill the cache under this rule's prefix: a statement in the
         * stack's {@link io.github.pullthroughcache.registry.RegistryPolicy} grants them
         * {@code ecr:CreateRepository} and {@code ecr:BatchImportUpstreamImage} on
         * {@code repository/<prefix>/*} only. Identity-side permissions come from
         * {@link PullThroughCacheRule#grantPull}.
         *
         * <p>Default: none; no registry policy statement for this rule.
         *
         * @param pullers the principals
         * @return this builder
         */
        public Builder pullers(List<? extends IGrantable> pullers) {
            this.pullers = List.copyOf(pullers);
            return this;
        }

        /** @return the props */
        public PullThroughCacheRuleProps build() {
            if (upstream == null) {
                throw new IllegalArgumentException("PullThroughCacheRuleProps.upstream is required: the registry "
                        + "to pull through, such as UpstreamRegistry.ECR_PUBLIC");
            }
            return new PullThroughCacheRuleProps(this);
        }
    }
}
