package io.github.pullthroughcache.network;

/**
 * The settings of a {@link RegistryEndpoints} without its VPC, for {@code PullThroughCacheProps.endpointOptions}: the cache
 * brings the VPC.
 */
public final class RegistryEndpointsOptions extends RegistryEndpointsSettings {

    private RegistryEndpointsOptions(Builder builder) {
        super(builder);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RegistryEndpointsOptions}. */
    public static final class Builder extends AbstractBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the options */
        public RegistryEndpointsOptions build() {
            return new RegistryEndpointsOptions(this);
        }
    }
}
