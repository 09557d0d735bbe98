package io.github.pullthroughcache;

/** Properties of a {@link PullThroughCacheConsumer}: the cache it consumes, and its {@link PullThroughCacheConsumerOptions options}. */
public final class PullThroughCacheConsumerProps extends PullThroughCacheConsumerOptions {

    private final IPullThroughCache cache;

    private PullThroughCacheConsumerProps(Builder builder) {
        super(builder);
        this.cache = builder.cache;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cache the consumer pulls through */
    public IPullThroughCache getCache() {
        return cache;
    }

    /** Builds {@link PullThroughCacheConsumerProps}. */
    public static final class Builder extends PullThroughCacheConsumerOptions.Builder<Builder> {
        private IPullThroughCache cache;

        private Builder() {
        }

        /**
         * The cache to pull through: a {@link PullThroughCache} of another stack of this app in this account, or
         * the cache of another account or stack imported with {@link PullThroughCache#fromCacheAttributes}. It
         * must be in the consumer's region (unless {@link #endpoints} is false) and, in another account, shared with
         * this one ({@code PullThroughCacheProps.sharedWith}). Required.
         *
         * @param cache the cache
         * @return this builder
         */
        public Builder cache(IPullThroughCache cache) {
            this.cache = cache;
            return this;
        }

        /** @return the props */
        @Override
        public PullThroughCacheConsumerProps build() {
            return new PullThroughCacheConsumerProps(this);
        }
    }
}
