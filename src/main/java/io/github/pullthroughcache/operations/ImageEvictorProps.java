package io.github.pullthroughcache.operations;

import io.github.pullthroughcache.rule.ICacheModel;
import software.amazon.awscdk.Duration;

/** Properties of an {@link ImageEvictor}: its cache, the age at which an unpulled image goes, and its options. */
public final class ImageEvictorProps {

    private final ICacheModel cache;
    private final Duration unpulledFor;

    private final ImageEvictorOptions options;

    private ImageEvictorProps(Builder builder) {
        this.cache = builder.cache;
        this.unpulledFor = builder.unpulledFor;
        this.options = builder.options;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cache whose repositories are evicted */
    public ICacheModel getCache() {
        return cache;
    }

    /** @return how long an image may go unpulled before it is deleted */
    public Duration getUnpulledFor() {
        return unpulledFor;
    }

    /** @return the settings besides the cache and the age */
    public ImageEvictorOptions getOptions() {
        return options;
    }

    /** Builds {@link ImageEvictorProps}. */
    public static final class Builder {
        private ICacheModel cache;
        private Duration unpulledFor;
        private ImageEvictorOptions options = ImageEvictorOptions.builder().build();

        private Builder() {
        }

        /**
         * Whether to delete emptied repositories, the schedule and the log retention.
         *
         * <p>Default: the defaults of {@link ImageEvictorOptions}.
         *
         * @param options the settings
         * @return this builder
         */
        public Builder options(ImageEvictorOptions options) {
            this.options = options != null ? options : ImageEvictorOptions.builder().build();
            return this;
        }

        /**
         * The cache: the evictor works in the repositories under its rules' prefixes only, and keeps the images it
         * routes ({@code PullThroughCache.getImagesInUse}) and warms.
         *
         * @param cache the cache (required)
         * @return this builder
         */
        public Builder cache(ICacheModel cache) {
            this.cache = cache;
            return this;
        }

        /**
         * How long an image may go unpulled before it is deleted: whole days, at least one. An image never pulled
         * since the cache stored it counts from the time it was stored.
         *
         * @param unpulledFor the age (required)
         * @return this builder
         */
        public Builder unpulledFor(Duration unpulledFor) {
            this.unpulledFor = unpulledFor;
            return this;
        }

        /** @return the props */
        public ImageEvictorProps build() {
            return new ImageEvictorProps(this);
        }
    }
}
