package io.github.pullthroughcache.network;

import software.amazon.awscdk.services.ec2.IVpc;

/** Properties of a {@link TemporaryNatGateway}: the VPC and its {@link TemporaryNatGatewaySettings settings}. */
public final class TemporaryNatGatewayProps extends TemporaryNatGatewaySettings {

    private final IVpc vpc;

    private TemporaryNatGatewayProps(Builder builder) {
        super(builder);
        this.vpc = builder.vpc;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the VPC */
    public IVpc getVpc() {
        return vpc;
    }

    /** Builds {@link TemporaryNatGatewayProps}. */
    public static final class Builder extends AbstractBuilder<Builder> {
        private IVpc vpc;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The VPC. It needs a public subnet (routed to an internet gateway) for the NAT gateway. Required.
         *
         * @param vpc the VPC
         * @return this builder
         */
        public Builder vpc(IVpc vpc) {
            this.vpc = vpc;
            return this;
        }

        /** @return the props */
        public TemporaryNatGatewayProps build() {
            return new TemporaryNatGatewayProps(this);
        }
    }
}
