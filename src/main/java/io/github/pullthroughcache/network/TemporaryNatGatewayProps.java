package io.github.pullthroughcache.network;

import software.amazon.awscdk.services.ec2.IVpc;

/** Properties of a {@link TemporaryNatGateway}: the VPC and its {@link TemporaryNatGatewayOptions options}. */
public final class TemporaryNatGatewayProps extends TemporaryNatGatewayOptions {

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

    /** Builds {@link TemporaryNatGatewayProps}: the setters of {@link TemporaryNatGatewayOptions.Builder} and the VPC. */
    public static final class Builder extends TemporaryNatGatewayOptions.Builder<Builder> {
        private IVpc vpc;

        private Builder() {
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
        @Override
        public TemporaryNatGatewayProps build() {
            return new TemporaryNatGatewayProps(this);
        }
    }
}
