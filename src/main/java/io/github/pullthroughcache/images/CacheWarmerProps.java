package io.github.pullthroughcache.images;

import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.List;

/** Properties of a {@link CacheWarmer}: the rules, the images, and the {@link CacheWarmerOptions options}. */
public final class CacheWarmerProps extends CacheWarmerOptions {

    private final ICacheModel cache;
    private final List<IPullThroughCacheRule> rules;
    private final List<String> images;

    private CacheWarmerProps(Builder builder) {
        super(builder);
        this.cache = builder.cache;
        this.rules = builder.rules;
        this.images = builder.images;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cache, or {@code null} when rules are given */
    public ICacheModel getCache() {
        return cache;
    }

    /** @return the rules, or {@code null} when a cache is given */
    public List<IPullThroughCacheRule> getRules() {
        return rules;
    }

    /** @return the images to warm, or {@code null} for none */
    public List<String> getImages() {
        return images;
    }

    /** Builds {@link CacheWarmerProps}: the setters of {@link CacheWarmerOptions.Builder} and these. */
    public static final class Builder extends CacheWarmerOptions.Builder<Builder> {
        private ICacheModel cache;
        private List<IPullThroughCacheRule> rules;
        private List<String> images;

        private Builder() {
        }

        /**
         * The cache whose rules serve the images. Give this or {@link #rules}.
         *
         * @param cache the cache
         * @return this builder
         */
        public Builder cache(ICacheModel cache) {
            this.cache = cache;
            return this;
        }

        /**
         * The rules that serve the images, for rules made without a {@code PullThroughCache}. Give this or
         * {@link #cache}.
         *
         * @param rules the rules, in the order an image's registry is matched against them
         * @return this builder
         */
        public Builder rules(List<? extends IPullThroughCacheRule> rules) {
            this.rules = rules == null ? null : List.copyOf(rules);
            return this;
        }

        /**
         * The images to pull through the cache, in any form {@code PullThroughCache.imageUri} takes
         * ({@code nginx:1.27}, {@code public.ecr.aws/nginx/nginx:1.27}, {@code quay.io/...@sha256:...}).
         *
         * <p>Default: none; add them with {@link CacheWarmer#addImages} (a run with none does nothing).
         *
         * @param images one or more image references
         * @return this builder
         */
        public Builder images(List<String> images) {
            this.images = images == null ? null : List.copyOf(images);
            return this;
        }

        /** @return the props */
        @Override
        public CacheWarmerProps build() {
            return new CacheWarmerProps(this);
        }
    }
}
