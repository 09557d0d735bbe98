package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import software.amazon.awscdk.services.ec2.IVpc;

/**
 * The settings of a {@link PullThroughCacheConsumer} besides the cache it consumes: its VPC, endpoints and warming.
 * Every one is optional.
 */
public class PullThroughCacheConsumerOptions {

    private final IVpc vpc;
    private final boolean endpoints;
    private final RegistryEndpointsOptions endpointOptions;
    private final boolean warm;
    private final CacheWarmerOptions warmerOptions;

    protected PullThroughCacheConsumerOptions(Builder<?> builder) {
        this.vpc = builder.vpc;
        this.endpoints = builder.endpoints;
        this.endpointOptions = builder.endpointOptions;
        this.warm = builder.warm;
        this.warmerOptions = builder.warmerOptions;
    }

    /** @return a new builder */
    public static Builder<?> builder() {
        return new Builder<>();
    }

    /** @return the VPC, or {@code null} for a new {@link CacheVpc} */
    public IVpc getVpc() {
        return vpc;
    }

    /** @return whether the ECR endpoints are created */
    public boolean isEndpoints() {
        return endpoints;
    }

    /** @return the endpoints' settings */
    public RegistryEndpointsOptions getEndpointOptions() {
        return endpointOptions;
    }

    /** @return whether the images routed and given to {@code warm} are warmed */
    public boolean isWarm() {
        return warm;
    }

    /** @return the settings of the warmer */
    public CacheWarmerOptions getWarmerOptions() {
        return warmerOptions;
    }

    /**
     * Builds {@link PullThroughCacheConsumerOptions}, and is the base of the props' builder.
     *
     * @param <B> the concrete builder
     */
    public static class Builder<B extends Builder<B>> {
        private IVpc vpc;
        private boolean endpoints = true;
        private RegistryEndpointsOptions endpointOptions = RegistryEndpointsOptions.builder().build();
        private boolean warm = true;
        private CacheWarmerOptions warmerOptions = CacheWarmerOptions.builder().build();

        protected Builder() {
        }

        /** @return this builder, typed as the concrete builder */
        @SuppressWarnings("unchecked")
        protected B self() {
            return (B) this;
        }

        /**
         * Copies every option.
         *
         * @param options the options to copy
         * @return this builder
         */
        public B options(PullThroughCacheConsumerOptions options) {
            this.vpc = options.getVpc();
            this.endpoints = options.isEndpoints();
            this.endpointOptions = options.getEndpointOptions();
            this.warm = options.isWarm();
            this.warmerOptions = options.getWarmerOptions();
            return self();
        }

        /**
         * The VPC whose tasks pull through the cache: one of the app, or one imported with
         * {@code Vpc.fromVpcAttributes} (with {@code vpcCidrBlock} and the subnets' route table ids).
         *
         * <p>Default: a new {@link CacheVpc} (child {@code Vpc}): isolated subnets in two availability zones.
         *
         * @param vpc the VPC
         * @return this builder
         */
        public B vpc(IVpc vpc) {
            this.vpc = vpc;
            return self();
        }

        /**
         * Whether to create the ecr.api, ecr.dkr and S3 gateway endpoints in the VPC (child {@code Endpoints}),
         * restricted to this account's registry and the cache's. Turn it off when the VPC has them already, or
         * reaches the cache's registry another way: then the VPC must give its tasks a route to that registry's
         * {@code ecr.api} and {@code ecr.dkr} hosts and to the region's layer bucket in S3 (endpoints of your own
         * in the cache's region, or a NAT gateway: a registry of another region is reached over its public
         * endpoints, which this region's interface endpoints do not serve).
         *
         * <p>Default: true.
         *
         * @param endpoints whether to create them
         * @return this builder
         */
        public B endpoints(boolean endpoints) {
            this.endpoints = endpoints;
            return self();
        }

        /**
         * The endpoints' subnets and additional services (such as CloudWatch Logs for Fargate). Whatever they say,
         * ecr.api and ecr.dkr are restricted to this account's registry and the cache's
         * ({@code restrictToThisRegistry}, with the cache's account added to {@code alsoAllowedRegistries}).
         *
         * <p>Default: the defaults of {@link RegistryEndpointsOptions}.
         *
         * @param endpointOptions the settings
         * @return this builder
         */
        public B endpointOptions(RegistryEndpointsOptions endpointOptions) {
            this.endpointOptions = endpointOptions != null ? endpointOptions : RegistryEndpointsOptions.builder().build();
            return self();
        }

        /**
         * Whether a warmer in this account (child {@code Warmer}, a {@link CacheWarmer}) pulls every image routed
         * with {@link PullThroughCacheConsumer#imageUri} or {@link PullThroughCacheConsumer#containerImage}, and
         * those given to {@link PullThroughCacheConsumer#warm}, through the cache's registry from outside the VPC
         * when the stack is deployed, so that a first task in a VPC without a NAT gateway finds its image cached.
         * Turn it off when the VPC has a NAT gateway, or the central account warms the images.
         *
         * <p>Default: true.
         *
         * @param warm whether to warm the images
         * @return this builder
         */
        public B warm(boolean warm) {
            this.warm = warm;
            return self();
        }

        /**
         * The settings of the warmer: its schedule, platforms, concurrency, failure mode and log retention.
         *
         * <p>Default: the defaults of {@link CacheWarmerOptions}, but daily as well as at deployment (its pulls keep
         * what this account uses from the central cache's evictor), {@code linux/amd64} and {@code linux/arm64}, a
         * failed image does not fail the deployment.
         *
         * @param warmerOptions the settings
         * @return this builder
         */
        public B warmerOptions(CacheWarmerOptions warmerOptions) {
            this.warmerOptions = warmerOptions != null ? warmerOptions : CacheWarmerOptions.builder().build();
            return self();
        }

        /** @return the options */
        public PullThroughCacheConsumerOptions build() {
            return new PullThroughCacheConsumerOptions(this);
        }
    }
}
