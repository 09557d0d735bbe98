package io.github.pullthroughcache;

/**
 * The settings of the warmer a {@link PullThroughCache} creates for the images it routes
 * ({@code PullThroughCacheProps.warmerOptions}): the cache brings the rules and the images.
 */
public final class CacheWarmerOptions extends CacheWarmerSettings {

    private CacheWarmerOptions(Builder builder) {
        super(builder);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link CacheWarmerOptions}. */
    public static final class Builder extends AbstractBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the options */
        public CacheWarmerOptions build() {
            return new CacheWarmerOptions(this);
        }
    }
}
