package io.github.pullthroughcache.network;

import io.github.pullthroughcache.internal.Tokens;
import java.util.List;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.SubnetSelection;

/**
 * The settings of a {@link RegistryEndpoints} besides its VPC: those of the endpoints a {@code PullThroughCache}
 * creates ({@code PullThroughCacheProps.endpointOptions}), where the cache brings the VPC;
 * {@link RegistryEndpointsProps} adds it.
 */
public class RegistryEndpointsOptions {

    private final SubnetSelection subnets;
    private final boolean ecrApi;
    private final boolean ecrDkr;
    private final boolean s3Gateway;
    private final boolean restrictToThisRegistry;
    private final List<InterfaceVpcEndpointAwsService> additionalServices;
    private final List<String> alsoAllowedRegistries;

    RegistryEndpointsOptions(Builder<?> builder) {
        this.subnets = builder.subnets;
        this.ecrApi = builder.ecrApi;
        this.ecrDkr = builder.ecrDkr;
        this.s3Gateway = builder.s3Gateway;
        this.restrictToThisRegistry = builder.restrictToThisRegistry;
        this.additionalServices = builder.additionalServices;
        this.alsoAllowedRegistries = builder.alsoAllowedRegistries;
    }

    /** @return the subnets of the endpoints, or {@code null} for the default */
    public SubnetSelection getSubnets() {
        return subnets;
    }

    /** @return whether the ecr.api endpoint is created */
    public boolean isEcrApi() {
        return ecrApi;
    }

    /** @return whether the ecr.dkr endpoint is created */
    public boolean isEcrDkr() {
        return ecrDkr;
    }

    /** @return whether the S3 gateway endpoint is created */
    public boolean isS3Gateway() {
        return s3Gateway;
    }

    /** @return whether ecr.api and ecr.dkr carry policies that limit them to this account's registry */
    public boolean isRestrictToThisRegistry() {
        return restrictToThisRegistry;
    }

    /** @return the accounts whose registries the restricted endpoints let this account use too */
    public List<String> getAlsoAllowedRegistries() {
        return alsoAllowedRegistries;
    }

    /** @return the other interface endpoints to create */
    public List<InterfaceVpcEndpointAwsService> getAdditionalServices() {
        return additionalServices;
    }

    /** @return a new builder */
    public static Builder<?> builder() {
        return new Builder<>();
    }

    /**
     * Builds {@link RegistryEndpointsOptions}, and is the base of {@link RegistryEndpointsProps.Builder}.
     *
     * @param <B> the concrete builder, which the setters return
     */
    public static class Builder<B extends Builder<B>> {
        private SubnetSelection subnets;
        private boolean ecrApi = true;
        private boolean ecrDkr = true;
        private boolean s3Gateway = true;
        private boolean restrictToThisRegistry;
        private List<InterfaceVpcEndpointAwsService> additionalServices = List.of();
        private List<String> alsoAllowedRegistries = List.of();

        Builder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Copies every option.
         *
         * @param options the options to copy
         * @return this builder
         */
        public B options(RegistryEndpointsOptions options) {
            this.subnets = options.getSubnets();
            this.ecrApi = options.isEcrApi();
            this.ecrDkr = options.isEcrDkr();
            this.s3Gateway = options.isS3Gateway();
            this.restrictToThisRegistry = options.isRestrictToThisRegistry();
            this.additionalServices = options.getAdditionalServices();
            this.alsoAllowedRegistries = options.getAlsoAllowedRegistries();
            return self();
        }

        /**
         * Where the interface endpoints get their network interfaces, and whose route tables the S3 gateway
         * joins. Select one availability zone to halve the endpoint bill of a development stack.
         *
         * <p>Default: the VPC's private subnets, else its isolated subnets, one per availability zone.
         *
         * @param subnets the selection
         * @return this builder
         */
        public B subnets(SubnetSelection subnets) {
            this.subnets = subnets;
            return self();
        }

        /**
         * Whether to create the {@code ecr.api} interface endpoint. Skip it when the VPC has one with private
         * DNS already: a VPC takes one private-DNS endpoint per service.
         *
         * <p>Default: true.
         *
         * @param ecrApi whether to create it
         * @return this builder
         */
        public B ecrApi(boolean ecrApi) {
            this.ecrApi = ecrApi;
            return self();
        }

        /**
         * Whether to create the {@code ecr.dkr} interface endpoint. Skip it when the VPC has one with private
         * DNS already.
         *
         * <p>Default: true.
         *
         * @param ecrDkr whether to create it
         * @return this builder
         */
        public B ecrDkr(boolean ecrDkr) {
            this.ecrDkr = ecrDkr;
            return self();
        }

        /**
         * Whether to create the S3 gateway endpoint that image layers come through. Skip it when the route
         * tables have an S3 gateway route already: a route table takes one.
         *
         * <p>Default: true.
         *
         * @param s3Gateway whether to create it
         * @return this builder
         */
        public B s3Gateway(boolean s3Gateway) {
            this.s3Gateway = s3Gateway;
            return self();
        }

        /**
         * Whether ecr.api and ecr.dkr get endpoint policies that let principals of this account use this
         * account's registry only (its repositories, including the {@code ecr:CreateRepository} and
         * {@code ecr:BatchImportUpstreamImage} of a first pull, and {@code ecr:GetAuthorizationToken}). Images in
         * other accounts' registries, such as AWS's own, can then not be pulled through these endpoints.
         *
         * <p>Default: false (the endpoints' default policy, which IAM policies still restrict).
         *
         * @param restrictToThisRegistry whether to add the policies
         * @return this builder
         */
        public B restrictToThisRegistry(boolean restrictToThisRegistry) {
            this.restrictToThisRegistry = restrictToThisRegistry;
            return self();
        }

        /**
         * Other interface endpoints that tasks in the VPC need, such as
         * {@link InterfaceVpcEndpointAwsService#CLOUDWATCH_LOGS} for Fargate logs,
         * {@link InterfaceVpcEndpointAwsService#STS} or {@link InterfaceVpcEndpointAwsService#SECRETS_MANAGER}.
         * They share the endpoints' subnets and security group.
         *
         * <p>Default: none.
         *
         * @param additionalServices the services
         * @return this builder
         */
        public B additionalServices(List<InterfaceVpcEndpointAwsService> additionalServices) {
            this.additionalServices = List.copyOf(additionalServices);
            return self();
        }

        /**
         * With {@link #restrictToThisRegistry}, the registries of other accounts in this region that this account's
         * principals may use through the endpoints too, such as the central cache of an organization
         * ({@code PullThroughCache.fromCacheAttributes}): their repositories are added to the policies' resources.
         *
         * <p>Default: none.
         *
         * @param accountIds 12-digit account ids
         * @return this builder
         */
        public B alsoAllowedRegistries(List<String> accountIds) {
            for (String account : accountIds) {
                if (account == null || (!Tokens.isUnresolved(account)
                        && !account.matches("^\\d{12}$"))) {
                    throw new IllegalArgumentException("RegistryEndpointsProps.alsoAllowedRegistries: account '"
                            + account + "' is invalid: expected a 12-digit AWS account id");
                }
            }
            this.alsoAllowedRegistries = List.copyOf(accountIds);
            return self();
        }

        /** @return the options */
        public RegistryEndpointsOptions build() {
            return new RegistryEndpointsOptions(this);
        }
    }
}
