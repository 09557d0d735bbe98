package io.github.pullthroughcache.network;

import software.amazon.awscdk.services.ec2.IVpc;

/** Properties of {@link RegistryEndpoints}: the VPC and its {@link RegistryEndpointsOptions options}. */
public final class RegistryEndpointsProps extends RegistryEndpointsOptions {

    private final IVpc vpc;

    private RegistryEndpointsProps(Builder builder) {
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

    /** Builds {@link RegistryEndpointsProps}: the setters of {@link RegistryEndpointsOptions.Builder} and the VPC. */
    public static final class Builder extends RegistryEndpointsOptions.Builder<Builder> {
        private IVpc vpc;

        private Builder() {
        }

        /**
         * The VPC whose tasks pull through the cache: one created in the stack, or one imported with
         * {@code Vpc.fromVpcAttributes} (give it {@code vpcCidrBlock} and the subnets' route table ids). Required.
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
        public RegistryEndpointsProps build() {
            return new RegistryEndpointsProps(this);
        }
    }
}
