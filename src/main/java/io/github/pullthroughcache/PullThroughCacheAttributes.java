package io.github.pullthroughcache;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;

/** A pull through cache that lives in another stack, account or region, for {@link PullThroughCache#fromCacheAttributes}. */
public final class PullThroughCacheAttributes {

    private final String account;
    private final String region;
    private final List<UpstreamRegistry> upstreams;
    private final Map<String, String> repositoryPrefixes;
    private final CacheConsumers sharedWith;

    private PullThroughCacheAttributes(Builder builder) {
        this.account = builder.account;
        this.region = builder.region;
        this.upstreams = builder.upstreams != null ? builder.upstreams : List.of(UpstreamRegistry.ECR_PUBLIC);
        this.repositoryPrefixes = builder.repositoryPrefixes != null ? builder.repositoryPrefixes : Map.of();
        this.sharedWith = builder.sharedWith;
    }

    /** @return the account of the cache's registry, or {@code null} for the stack's */
    public String getAccount() {
        return account;
    }

    /** @return the region of the cache's registry, or {@code null} for the stack's */
    public String getRegion() {
        return region;
    }

    /** @return the upstreams the cache has a rule for */
    public List<UpstreamRegistry> getUpstreams() {
        return upstreams;
    }

    /** @return the prefixes that differ from the upstreams' defaults, by default prefix */
    public Map<String, String> getRepositoryPrefixes() {
        return repositoryPrefixes;
    }

    /** @return who the cache is shared with, or {@code null} when not said */
    public CacheConsumers getSharedWith() {
        return sharedWith;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link PullThroughCacheAttributes}. */
    public static final class Builder {
        private String account;
        private String region;
        private List<UpstreamRegistry> upstreams;
        private Map<String, String> repositoryPrefixes;
        private CacheConsumers sharedWith;

        private Builder() {
        }

        /**
         * The 12-digit account of the cache's registry.
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
         * The region of the cache's registry. VPC endpoints reach the registry of their own region only.
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

        /**
         * The upstreams the cache has a rule for. One that needs a credential is named without it
         * ({@link UpstreamRegistry#dockerHub()}): the credential belongs to the cache's registry. A registry the cache
         * copies is named as {@code UpstreamRegistry.copied(host)} (its {@code SharedPrefixes} entry says
         * {@code copied:<host>}), so that its images are routed to the copies too.
         *
         * <p>Default: {@link UpstreamRegistry#ECR_PUBLIC} alone, as a {@link PullThroughCache} has by default.
         *
         * @param upstreams the upstreams
         * @return this builder
         */
        public Builder upstreams(List<UpstreamRegistry> upstreams) {
            this.upstreams = upstreams == null ? null : List.copyOf(upstreams);
            return this;
        }

        /**
         * Prefixes that differ from the upstreams' defaults, by default prefix ({@code docker-hub} to
         * {@code dockerhub}), as the {@code prefixes} context key of {@link PullThroughCacheStack} takes them. The
         * shared cache's stack output {@code <id>SharedPrefixes} lists each prefix with its upstream
         * ({@code {"dockerhub":"docker-hub"}}): an upstream whose prefix is not its default goes here, as
         * {@code Map.of("docker-hub", "dockerhub")}.
         *
         * <p>Default: every upstream on its default prefix.
         *
         * @param repositoryPrefixes default prefix to prefix
         * @return this builder
         */
        public Builder repositoryPrefixes(Map<String, String> repositoryPrefixes) {
            this.repositoryPrefixes = repositoryPrefixes == null ? null : Map.copyOf(repositoryPrefixes);
            return this;
        }

        /**
         * Who the cache is shared with, as its app says ({@code PullThroughCacheProps.sharedWith}): a
         * {@link PullThroughCacheConsumer} of an account that named accounts leave out is then refused at synth,
         * rather than by the cache's registry at the first pull.
         *
         * <p>Default: not said; the cache's registry decides at the first pull.
         *
         * @param sharedWith the consumers the cache is shared with
         * @return this builder
         */
        public Builder sharedWith(CacheConsumers sharedWith) {
            this.sharedWith = sharedWith;
            return this;
        }

        /** @return the attributes */
        public PullThroughCacheAttributes build() {
            return new PullThroughCacheAttributes(this);
        }
    }
}
