package io.github.pullthroughcache.network;

/**
 * The settings of a {@link TemporaryNatGateway} without its VPC, for {@code PullThroughCacheProps.temporaryNatOptions}: the cache
 * brings the VPC.
 */
public final class TemporaryNatGatewayOptions extends TemporaryNatGatewaySettings {

    private TemporaryNatGatewayOptions(Builder builder) {
        super(builder);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TemporaryNatGatewayOptions}. */
    public static final class Builder extends AbstractBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the options */
        public TemporaryNatGatewayOptions build() {
            return new TemporaryNatGatewayOptions(this);
        }
    }
}
