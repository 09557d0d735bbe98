package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.operations.ImageEvictor;
import io.github.pullthroughcache.operations.CredentialCheck;
import io.github.pullthroughcache.operations.ImageEvictorOptions;
import io.github.pullthroughcache.operations.CachedRepositoryRemover;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.network.TemporaryNatGatewayOptions;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.sns.ITopic;

/** Properties of a {@link PullThroughCache}. Every one is optional. */
public final class PullThroughCacheProps {

    private final IVpc vpc;
    private final List<UpstreamRegistry> upstreams;
    private final List<IGrantable> pullers;
    private final CreationTemplateOptions creationTemplate;
    private final boolean endpoints;
    private final RegistryEndpointsOptions endpointOptions;
    private final boolean temporaryNat;
    private final TemporaryNatGatewayOptions temporaryNatOptions;
    private final RegistryPolicyMode registryPolicyMode;
    private final CacheConsumers sharedWith;
    private final Boolean warm;
    private final CacheWarmerOptions warmerOptions;
    private final Duration evictUnpulledAfter;
    private final ImageEvictorOptions evictionOptions;
    private final boolean removeCachedRepositoriesOnDestroy;
    private final boolean validateCredentials;
    private final ITopic alarmTopic;
    private final List<IAlarmAction> alarmActions;
    private final List<IAlarmAction> okActions;
    private final boolean dashboard;
    private final List<String> optionsWithoutSwitch = new java.util.ArrayList<>();

    private PullThroughCacheProps(Builder builder) {
        this.vpc = builder.vpc;
        this.upstreams = builder.upstreams;
        this.pullers = builder.pullers;
        // the options' defaults, applied here only: a setter given null keeps them
        this.creationTemplate = builder.creationTemplate != null
                ? builder.creationTemplate : CreationTemplateOptions.builder().build();
        this.endpoints = builder.endpoints;
        this.endpointOptions = builder.endpointOptions != null
                ? builder.endpointOptions : RegistryEndpointsOptions.builder().build();
        this.temporaryNat = builder.temporaryNat;
        this.temporaryNatOptions = builder.temporaryNatOptions != null
                ? builder.temporaryNatOptions : TemporaryNatGatewayOptions.builder().build();
        this.registryPolicyMode = builder.registryPolicyMode;
        this.sharedWith = builder.sharedWith;
        this.warm = builder.warm;
        this.warmerOptions = builder.warmerOptions != null ? builder.warmerOptions : CacheWarmerOptions.builder().build();
        this.evictUnpulledAfter = builder.evictUnpulledAfter;
        this.evictionOptions = builder.evictionOptions != null ? builder.evictionOptions
                : ImageEvictorOptions.builder().build();
        this.removeCachedRepositoriesOnDestroy = builder.removeCachedRepositoriesOnDestroy;
        this.validateCredentials = builder.validateCredentials;
        this.alarmTopic = builder.alarmTopic;
        this.alarmActions = builder.alarmActions;
        this.okActions = builder.okActions;
        this.dashboard = builder.dashboard;
        // options of a feature that is off: named in a warning at synth, rather than dropped without a word
        withoutSwitch(builder.endpointOptions != null && !endpoints, "endpointOptions", "endpoints(true)");
        withoutSwitch(builder.temporaryNatOptions != null && !temporaryNat, "temporaryNatOptions", "temporaryNat(true)");
        withoutSwitch(builder.warmerOptions != null && (warm != null ? !warm : temporaryNat), "warmerOptions",
                "warm(true)");
        withoutSwitch(builder.evictionOptions != null && evictUnpulledAfter == null, "evictionOptions",
                "evictUnpulledAfter(Duration.days(...))");
        withoutSwitch(alarmTopic != null && !validateCredentials, "alarmTopic", "validateCredentials(true)");
        withoutSwitch(!alarmActions.isEmpty() && !validateCredentials, "alarmActions", "validateCredentials(true)");
        withoutSwitch(!okActions.isEmpty() && !validateCredentials, "okActions", "validateCredentials(true)");
    }

    private void withoutSwitch(boolean unused, String options, String turnOn) {
        if (unused) {
            optionsWithoutSwitch.add(options + " is given but its feature is off, so it is not used: give " + turnOn
                    + ", or leave " + options + " out");
        }
    }

    /** @return a sentence for each option given while its feature is off, for a warning at synth */
    List<String> getOptionsWithoutSwitch() {
        return List.copyOf(optionsWithoutSwitch);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the VPC, or {@code null} for a new {@link CacheVpc} */
    public IVpc getVpc() {
        return vpc;
    }

    /** @return the upstream registries, each cached under its default prefix */
    public List<UpstreamRegistry> getUpstreams() {
        return upstreams;
    }

    /** @return the principals that pull through the cache */
    public List<IGrantable> getPullers() {
        return pullers;
    }

    /** @return the settings of the repositories the cache creates */
    public CreationTemplateOptions getCreationTemplate() {
        return creationTemplate;
    }

    /** @return whether the ECR endpoints are created */
    public boolean isEndpoints() {
        return endpoints;
    }

    /** @return the endpoints' settings */
    public RegistryEndpointsOptions getEndpointOptions() {
        return endpointOptions;
    }

    /** @return whether the temporary NAT gateway is created */
    public boolean isTemporaryNat() {
        return temporaryNat;
    }

    /** @return the temporary NAT gateway's settings */
    public TemporaryNatGatewayOptions getTemporaryNatOptions() {
        return temporaryNatOptions;
    }

    /** @return the registry policy mode, or {@code null} for the stack's policy as it is */
    public RegistryPolicyMode getRegistryPolicyMode() {
        return registryPolicyMode;
    }

    /** @return who else may pull through the cache, or {@code null} */
    public CacheConsumers getSharedWith() {
        return sharedWith;
    }

    /** @return whether the cache warms the images it routes, or {@code null} for the default */
    public Boolean getWarm() {
        return warm;
    }

    /** @return the settings of the cache's warmer */
    public CacheWarmerOptions getWarmerOptions() {
        return warmerOptions;
    }

    /** @return after how long unpulled an image is deleted, or {@code null} for never */
    public Duration getEvictUnpulledAfter() {
        return evictUnpulledAfter;
    }

    /** @return the evictor's settings */
    public ImageEvictorOptions getEvictionOptions() {
        return evictionOptions;
    }

    /** @return whether the repositories ECR created for the cache are deleted with the stack */
    public boolean isRemoveCachedRepositoriesOnDestroy() {
        return removeCachedRepositoriesOnDestroy;
    }

    /** @return whether the upstream credentials are checked, with an alarm each */
    public boolean isValidateCredentials() {
        return validateCredentials;
    }

    /** @return where the cache's alarms notify, or {@code null} */
    public ITopic getAlarmTopic() {
        return alarmTopic;
    }

    /** @return what the cache's alarms do when they go off, besides notifying the alarm topic */
    public List<IAlarmAction> getAlarmActions() {
        return alarmActions;
    }

    /** @return what the cache's alarms do when they clear, besides notifying the alarm topic */
    public List<IAlarmAction> getOkActions() {
        return okActions;
    }

    /** @return whether the cache has a CloudWatch dashboard */
    public boolean isDashboard() {
        return dashboard;
    }

    /** Builds {@link PullThroughCacheProps}. */
    public static final class Builder {
        private IVpc vpc;
        private List<UpstreamRegistry> upstreams = List.of(UpstreamRegistry.ECR_PUBLIC);
        private List<IGrantable> pullers = List.of();
        private CreationTemplateOptions creationTemplate;
        private boolean endpoints = true;
        private RegistryEndpointsOptions endpointOptions;
        private boolean temporaryNat;
        private TemporaryNatGatewayOptions temporaryNatOptions;
        private RegistryPolicyMode registryPolicyMode;
        private CacheConsumers sharedWith;
        private Boolean warm;
        private CacheWarmerOptions warmerOptions;
        private Duration evictUnpulledAfter;
        private ImageEvictorOptions evictionOptions;
        private boolean removeCachedRepositoriesOnDestroy;
        private boolean validateCredentials = true;
        private ITopic alarmTopic;
        private List<IAlarmAction> alarmActions = List.of();
        private List<IAlarmAction> okActions = List.of();
        private boolean dashboard;

        private Builder() {
        }

        /**
         * The VPC whose tasks pull through the cache: one of the app, or one imported with
         * {@code Vpc.fromVpcAttributes} (with {@code vpcCidrBlock} and the subnets' route table ids).
         *
         * <p>Default: a new {@link CacheVpc} (child {@code Vpc}): isolated subnets in two availability zones, and
         * the public subnets a temporary NAT gateway needs.
         *
         * @param vpc the VPC
         * @return this builder
         */
        public Builder vpc(IVpc vpc) {
            this.vpc = vpc;
            return this;
        }

        /**
         * The registries to cache, each under its default prefix ({@code ecr-public}, {@code quay}, {@code k8s},
         * {@code docker-hub}...). For another prefix, or the options of an ECR to ECR rule, use
         * {@link PullThroughCache#addRule}.
         *
         * <p>Default: {@link UpstreamRegistry#ECR_PUBLIC} alone.
         *
         * @param upstreams the registries, each once
         * @return this builder
         */
        public Builder upstreams(List<UpstreamRegistry> upstreams) {
            this.upstreams = List.copyOf(upstreams);
            return this;
        }

        /**
         * Principals that pull through the cache, such as task execution roles: each gets the identity-side
         * grants of {@link PullThroughCache#grantPull} and a place in the registry policy's statement of each
         * rule.
         *
         * <p>Default: none.
         *
         * @param pullers roles, users or accounts
         * @return this builder
         */
        public Builder pullers(List<? extends IGrantable> pullers) {
            this.pullers = List.copyOf(pullers);
            return this;
        }

        /**
         * The settings of the repositories that the cache creates, as one creation template per rule prefix.
         * {@code TemplateEncryption.KMS_NEW_KEY} makes one key (child {@code Key}) for every rule.
         *
         * <p>Default: the defaults of {@link CreationTemplateOptions}.
         *
         * @param creationTemplate the settings
         * @return this builder
         */
        public Builder creationTemplate(CreationTemplateOptions creationTemplate) {
            this.creationTemplate = creationTemplate;
            return this;
        }

        /**
         * Whether to create the ecr.api, ecr.dkr and S3 gateway endpoints (child {@code Endpoints}). Turn it
         * off when the VPC has them already.
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
         * The endpoints' subnets, extra services and policies.
         *
         * <p>Default: the defaults of {@link RegistryEndpointsOptions}. Given with {@code endpoints(false)}, it is not
         * used, and a warning at synth says so: the endpoints cost by the hour, so they are never turned on by it.
         *
         * @param endpointOptions the settings
         * @return this builder
         */
        public Builder endpointOptions(RegistryEndpointsOptions endpointOptions) {
            this.endpointOptions = endpointOptions;
            return this;
        }

        /**
         * Whether to create a NAT gateway for the first pulls (child {@code TemporaryNat}). Deploy with it, pull
         * each image once, then deploy without it: only the NAT gateway, its Elastic IP and its routes go.
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
         * The temporary NAT gateway's subnets and flow logs.
         *
         * <p>Default: the defaults of {@link TemporaryNatGatewayOptions}. Given without {@code temporaryNat(true)}, it is
         * not used, and a warning at synth says so: a NAT gateway costs by the hour, so it is never turned on by it.
         *
         * @param temporaryNatOptions the settings
         * @return this builder
         */
        public Builder temporaryNatOptions(TemporaryNatGatewayOptions temporaryNatOptions) {
            this.temporaryNatOptions = temporaryNatOptions;
            return this;
        }

        /**
         * How the stack writes the registry policy: {@link RegistryPolicyMode#REPLACE} makes the stack's policy
         * (child {@code RegistryPolicy} of the stack) own the whole document.
         *
         * <p>Default: the stack's policy as it is, {@link RegistryPolicyMode#MERGE} when the cache creates it.
         *
         * @param registryPolicyMode the mode
         * @return this builder
         */
        public Builder registryPolicyMode(RegistryPolicyMode registryPolicyMode) {
            this.registryPolicyMode = registryPolicyMode;
            return this;
        }

        /**
         * Other accounts that may pull through the cache: an organization, some of its units, or named accounts
         * ({@link CacheConsumers}). See {@link PullThroughCache#shareWith}.
         *
         * <p>Default: none; the cache serves its own account.
         *
         * @param sharedWith the consumers
         * @return this builder
         */
        public Builder sharedWith(CacheConsumers sharedWith) {
            this.sharedWith = sharedWith;
            return this;
        }

        /**
         * Whether the cache fills itself with the images it routes, before anything pulls them: a {@link CacheWarmer}
         * (child {@code Warmer}, created with the first image) pulls each image of {@link PullThroughCache#imageUri},
         * {@link PullThroughCache#containerImage} and {@link PullThroughCache#warm} through the cache from outside the
         * VPC at deployment, and a container of {@code containerImage} starts after it. With the temporary NAT
         * gateway as well, the images are cached before the gateway goes.
         *
         * <p>Default: true without a temporary NAT gateway, where the warmer is the only way a first pull works; false
         * with one.
         *
         * @param warm whether to warm the images
         * @return this builder
         */
        public Builder warm(Boolean warm) {
            this.warm = warm;
            return this;
        }

        /**
         * The settings of the cache's warmer: its schedule, platforms, concurrency, failure mode and log retention.
         *
         * <p>Default: the defaults of {@link CacheWarmerOptions}. Given while warming is off, it is not used, and a
         * warning at synth says so: whether to warm depends on the temporary NAT gateway, which the options cannot know.
         *
         * @param warmerOptions the settings
         * @return this builder
         */
        public Builder warmerOptions(CacheWarmerOptions warmerOptions) {
            this.warmerOptions = warmerOptions;
            return this;
        }

        /**
         * Deletes the cached images that nobody pulled for this long: an {@link ImageEvictor} (child
         * {@code Evictor}) runs daily, in the repositories under the cache's prefixes only, and never deletes an image
         * the app routes or warms. An image never pulled since it was cached counts from the time it was cached. The
         * warmer's pulls do not count as use: its role gets a pull-time update exclusion
         * ({@code AWS::ECR::PullTimeUpdateExclusion}, child {@code WarmerPullTimeUpdateExclusion}), one of the
         * account's 100. See {@link #evictionOptions} for deleting emptied repositories.
         *
         * <p>Default: none; cached images stay until a lifecycle rule expires them.
         *
         * @param evictUnpulledAfter whole days, such as {@code Duration.days(90)}
         * @return this builder
         */
        public Builder evictUnpulledAfter(Duration evictUnpulledAfter) {
            this.evictUnpulledAfter = evictUnpulledAfter;
            return this;
        }

        /**
         * The evictor's settings: whether it deletes repositories it emptied, its schedule, its log retention.
         *
         * <p>Default: the defaults of {@link ImageEvictorOptions}: daily, emptied repositories stay. Given without
         * {@code evictUnpulledAfter}, it is not used, and a warning at synth says so: eviction deletes images, and has
         * no age to assume.
         *
         * @param evictionOptions the settings
         * @return this builder
         */
        public Builder evictionOptions(ImageEvictorOptions evictionOptions) {
            this.evictionOptions = evictionOptions;
            return this;
        }

        /**
         * Deletes, when the stack is deleted, the repositories that ECR created for the cache under its prefixes,
         * with their images, as aws-cdk's {@code Repository.emptyOnDelete} does: the creation templates tag each
         * repository they create, and a {@link CachedRepositoryRemover} (child {@code CachedRepositoryRemover})
         * deletes the tagged ones only. Repositories created before the option was on are not tagged and stay.
         *
         * <p>Default: false; the cached repositories and images stay after {@code cdk destroy} (and are billed for
         * their storage) until you delete them.
         *
         * @param removeCachedRepositoriesOnDestroy whether to delete them
         * @return this builder
         */
        public Builder removeCachedRepositoriesOnDestroy(boolean removeCachedRepositoriesOnDestroy) {
            this.removeCachedRepositoriesOnDestroy = removeCachedRepositoriesOnDestroy;
            return this;
        }

        /**
         * Checks the upstream credential of every rule that has one, at deployment and hourly, with an alarm per rule
         * that goes off when it has not worked for two hours: a {@link CredentialCheck} (child {@code CredentialCheck}).
         *
         * <p>Default: true: the check is made with the first rule that has a credential (an expired token otherwise
         * fails first pulls without a word; a check costs an alarm and a Lambda run an hour); false turns it off.
         *
         * @param validateCredentials whether to check them
         * @return this builder
         */
        public Builder validateCredentials(boolean validateCredentials) {
            this.validateCredentials = validateCredentials;
            return this;
        }

        /**
         * An SNS topic that the cache's alarms notify, when they go off and when they clear: the shorthand of an
         * {@code SnsAction} in both {@link #alarmActions} and {@link #okActions}.
         *
         * <p>Default: none; the alarms exist all the same. Given with {@code validateCredentials(false)}, the cache has
         * no alarm to notify it, and a warning at synth says so.
         *
         * @param alarmTopic the topic
         * @return this builder
         */
        public Builder alarmTopic(ITopic alarmTopic) {
            this.alarmTopic = alarmTopic;
            return this;
        }

        /**
         * What the cache's alarms do when they go off, as {@code Alarm.addAlarmAction} takes it: an {@code SnsAction},
         * a {@code LambdaAction}, an {@code SsmIncidentAction} ({@code aws-cloudwatch-actions}).
         *
         * <p>Default: none (only the {@link #alarmTopic}'s notification, when one is given). Given with
         * {@code validateCredentials(false)}, the cache has no alarm to take them, and a warning at synth says so.
         *
         * @param alarmActions the actions
         * @return this builder
         */
        public Builder alarmActions(List<? extends IAlarmAction> alarmActions) {
            this.alarmActions = List.copyOf(alarmActions);
            return this;
        }

        /**
         * What the cache's alarms do when they clear, as {@code Alarm.addOkAction} takes it.
         *
         * <p>Default: none (only the {@link #alarmTopic}'s notification, when one is given). Given with
         * {@code validateCredentials(false)}, the cache has no alarm to take them, and a warning at synth says so.
         *
         * @param okActions the actions
         * @return this builder
         */
        public Builder okActions(List<? extends IAlarmAction> okActions) {
            this.okActions = List.copyOf(okActions);
            return this;
        }

        /**
         * A CloudWatch dashboard of the cache (child {@code Dashboard}, {@link PullThroughCache#getDashboard()}): pulls
         * per cached repository, the warmer's and the evictor's outcomes, the credentials' validity and the temporary
         * NAT gateway's bytes, a row for each the cache has.
         *
         * <p>Default: false.
         *
         * @param dashboard whether to create it
         * @return this builder
         */
        public Builder dashboard(boolean dashboard) {
            this.dashboard = dashboard;
            return this;
        }

        /** @return the props */
        public PullThroughCacheProps build() {
            return new PullThroughCacheProps(this);
        }
    }
}
