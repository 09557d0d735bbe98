package io.github.pullthroughcache.stack;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.services.ec2.VpcAttributes;

/**
 * Properties of a {@link PullThroughCacheStack}. Every one is optional, and the cache's settings can come from
 * CDK context instead ({@code cdk.json} or {@code -c key=value}); a context value, when set, wins over the
 * prop, so that {@code cdk deploy -c temporaryNat=false} removes the NAT gateway of a stack built with it.
 */
public final class PullThroughCacheStackProps {

    private final Environment env;
    private final String stackName;
    private final String description;
    private final boolean terminationProtection;
    private final List<UpstreamRegistry> upstreams;
    private final Map<String, String> repositoryPrefixes;
    private final boolean temporaryNat;
    private final boolean endpoints;
    private final VpcAttributes vpcAttributes;
    private final List<String> availabilityZones;
    private final CreationTemplateOptions creationTemplate;
    private final RegistryPolicyMode registryPolicyMode;
    private final Boolean warm;
    private final List<String> warmImages;

    private PullThroughCacheStackProps(Builder builder) {
        this.env = builder.env;
        this.stackName = builder.stackName;
        this.description = builder.description;
        this.terminationProtection = builder.terminationProtection;
        this.upstreams = builder.upstreams;
        this.repositoryPrefixes = builder.repositoryPrefixes;
        this.temporaryNat = builder.temporaryNat;
        this.endpoints = builder.endpoints;
        this.vpcAttributes = builder.vpcAttributes;
        this.availabilityZones = builder.availabilityZones;
        this.creationTemplate = builder.creationTemplate;
        this.registryPolicyMode = builder.registryPolicyMode;
        this.warm = builder.warm;
        this.warmImages = builder.warmImages;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the account and region, or {@code null} */
    public Environment getEnv() {
        return env;
    }

    /** @return the CloudFormation stack name, or {@code null} for the construct id */
    public String getStackName() {
        return stackName;
    }

    /** @return the stack description, or {@code null} for the default */
    public String getDescription() {
        return description;
    }

    /** @return whether the stack has termination protection */
    public boolean isTerminationProtection() {
        return terminationProtection;
    }

    /** @return the upstream registries */
    public List<UpstreamRegistry> getUpstreams() {
        return upstreams;
    }

    /** @return prefixes other than the default, keyed by the upstream's default prefix */
    public Map<String, String> getRepositoryPrefixes() {
        return repositoryPrefixes;
    }

    /** @return whether the temporary NAT gateway is created */
    public boolean isTemporaryNat() {
        return temporaryNat;
    }

    /** @return whether the ECR endpoints are created */
    public boolean isEndpoints() {
        return endpoints;
    }

    /** @return the VPC to import, or {@code null} for a new one */
    public VpcAttributes getVpcAttributes() {
        return vpcAttributes;
    }

    /** @return the availability zones of a new VPC, or {@code null} for the region's first two */
    public List<String> getAvailabilityZones() {
        return availabilityZones;
    }

    /** @return the settings of the created repositories, or {@code null} for the default */
    public CreationTemplateOptions getCreationTemplate() {
        return creationTemplate;
    }

    /** @return the registry policy mode, or {@code null} for MERGE */
    public RegistryPolicyMode getRegistryPolicyMode() {
        return registryPolicyMode;
    }

    /** @return whether the cache warms its images, or {@code null} for the cache's default */
    public Boolean getWarm() {
        return warm;
    }

    /** @return the images the cache warms */
    public List<String> getWarmImages() {
        return warmImages;
    }

    /** Builds {@link PullThroughCacheStackProps}. */
    public static final class Builder {
        private Environment env;
        private String stackName;
        private String description;
        private boolean terminationProtection;
        private List<UpstreamRegistry> upstreams = List.of(UpstreamRegistry.ECR_PUBLIC);
        private Map<String, String> repositoryPrefixes = Map.of();
        private boolean temporaryNat;
        private boolean endpoints = true;
        private VpcAttributes vpcAttributes;
        private List<String> availabilityZones;
        private CreationTemplateOptions creationTemplate;
        private RegistryPolicyMode registryPolicyMode;
        private Boolean warm;
        private List<String> warmImages = List.of();

        private Builder() {
        }

        /**
         * The account and region. Synthesis looks nothing up either way: the VPC's availability zones are
         * resolved at deploy time unless given.
         *
         * <p>Default: environment-agnostic, or what the CDK CLI passes.
         *
         * @param env the environment
         * @return this builder
         */
        public Builder env(Environment env) {
            this.env = env;
            return this;
        }

        /**
         * The CloudFormation stack name.
         *
         * <p>Default: the construct id.
         *
         * @param stackName the name
         * @return this builder
         */
        public Builder stackName(String stackName) {
            this.stackName = stackName;
            return this;
        }

        /**
         * The stack description.
         *
         * <p>Default: one naming the cached registries.
         *
         * @param description the description
         * @return this builder
         */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * Whether CloudFormation refuses to delete the stack.
         *
         * <p>Default: false.
         *
         * @param terminationProtection whether to protect it
         * @return this builder
         */
        public Builder terminationProtection(boolean terminationProtection) {
            this.terminationProtection = terminationProtection;
            return this;
        }

        /**
         * The registries to cache. Context {@code upstreams} (a list, or a comma-separated string, of
         * {@code ecr-public}, {@code quay}, {@code k8s}, {@code docker-hub}, {@code github}, {@code gitlab},
         * {@code chainguard}) replaces them; a registry that needs a credential then takes the secret
         * {@code ecr-pullthroughcache/<name>}.
         *
         * <p>Default: {@link UpstreamRegistry#ECR_PUBLIC}.
         *
         * @param upstreams the registries
         * @return this builder
         */
        public Builder upstreams(List<UpstreamRegistry> upstreams) {
            this.upstreams = List.copyOf(upstreams);
            return this;
        }

        /**
         * Prefixes other than the default, keyed by the upstream's default prefix, such as
         * {@code {"docker-hub": "dockerhub"}}. Context {@code prefixes} (an object, or
         * {@code docker-hub=dockerhub,quay=quay-io}) replaces them.
         *
         * <p>Default: none; each upstream takes its default prefix.
         *
         * @param repositoryPrefixes the prefixes
         * @return this builder
         */
        public Builder repositoryPrefixes(Map<String, String> repositoryPrefixes) {
            this.repositoryPrefixes = new LinkedHashMap<>(repositoryPrefixes);
            return this;
        }

        /**
         * Whether to create the NAT gateway for first pulls. Context {@code temporaryNat} ({@code true} or
         * {@code false}) wins.
         *
         * <p>Default: false.
         *
         * @param temporaryNat whether to create it
         * @return this builder
         */
        public Builder temporaryNat(boolean temporaryNat) {
            this.temporaryNat = temporaryNat;
            return this;
        }

        /**
         * Whether the cache warms {@link #warmImages} ({@code PullThroughCacheProps.warm}). Context {@code warm}
         * ({@code true} or {@code false}) wins.
         *
         * <p>Default: true without the temporary NAT gateway, false with it.
         *
         * @param warm whether to warm
         * @return this builder
         */
        public Builder warm(Boolean warm) {
            this.warm = warm;
            return this;
        }

        /**
         * Images to warm through the cache at deployment ({@code PullThroughCache.warm}), such as
         * {@code public.ecr.aws/nginx/nginx:1.27}: what the VPC's tasks pull, when their stacks do not route them
         * through this cache themselves. Context {@code warmImages} (a comma-separated list) wins.
         *
         * <p>Default: none.
         *
         * @param warmImages image references
         * @return this builder
         */
        public Builder warmImages(List<String> warmImages) {
            this.warmImages = List.copyOf(warmImages);
            return this;
        }

        /**
         * Whether to create the ECR endpoints. Context {@code endpoints} wins.
         *
         * <p>Default: true.
         *
         * @param endpoints whether to create them
         * @return this builder
         */
        public Builder endpoints(boolean endpoints) {
            this.endpoints = endpoints;
            return this;
        }

        /**
         * An existing VPC, imported with {@code Vpc.fromVpcAttributes}: give {@code vpcCidrBlock} and the route
         * table ids of the subnets. Context {@code vpc} (an object of the same attribute names, such as
         * {@code {"vpcId": "vpc-0abc", "vpcCidrBlock": "10.1.0.0/16", "availabilityZones": [...],
         * "isolatedSubnetIds": [...], "isolatedSubnetRouteTableIds": [...]}}) wins.
         *
         * <p>Default: a new {@code CacheVpc}.
         *
         * @param vpcAttributes the VPC's attributes
         * @return this builder
         */
        public Builder vpcAttributes(VpcAttributes vpcAttributes) {
            this.vpcAttributes = vpcAttributes;
            return this;
        }

        /**
         * The availability zones of a new VPC. Context {@code availabilityZones} wins.
         *
         * <p>Default: the region's first two, resolved by CloudFormation at deploy time ({@code Fn::GetAZs}),
         * with no lookup at synth.
         *
         * @param availabilityZones the zones
         * @return this builder
         */
        public Builder availabilityZones(List<String> availabilityZones) {
            this.availabilityZones = List.copyOf(availabilityZones);
            return this;
        }

        /**
         * The settings of the repositories the cache creates.
         *
         * <p>Default: those of {@link PullThroughCacheProps.Builder#creationTemplate}.
         *
         * @param creationTemplate the settings
         * @return this builder
         */
        public Builder creationTemplate(CreationTemplateOptions creationTemplate) {
            this.creationTemplate = creationTemplate;
            return this;
        }

        /**
         * How the stack writes the registry policy.
         *
         * <p>Default: {@link RegistryPolicyMode#MERGE}.
         *
         * @param registryPolicyMode the mode
         * @return this builder
         */
        public Builder registryPolicyMode(RegistryPolicyMode registryPolicyMode) {
            this.registryPolicyMode = registryPolicyMode;
            return this;
        }

        /** @return the props */
        public PullThroughCacheStackProps build() {
            return new PullThroughCacheStackProps(this);
        }
    }
}
