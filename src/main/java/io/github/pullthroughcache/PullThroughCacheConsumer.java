package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.kubernetes.RegistryMirrors;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.CacheVpcProps;
import io.github.pullthroughcache.network.RegistryEndpoints;
import io.github.pullthroughcache.network.RegistryEndpointsProps;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.constructs.Construct;
import software.constructs.IDependable;

/**
 * The consumer side of a shared pull through cache, in another account or stack: what {@link PullThroughCache} gives
 * the central side, for tasks in this stack's VPC that pull through the central cache with no NAT gateway.
 *
 * <pre>
 * IPullThroughCache central = PullThroughCache.fromCacheAttributes(this, "Central", PullThroughCacheAttributes.builder()
 *     .account("111111111111").region("eu-west-1")
 *     .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.dockerHub()))
 *     .build());
 * PullThroughCacheConsumer cache = new PullThroughCacheConsumer(this, "Cache", PullThroughCacheConsumerProps.builder()
 *     .cache(central)
 *     .vpc(vpc)
 *     .build());
 * taskDefinition.addContainer("Web", ContainerDefinitionOptions.builder()
 *     .image(cache.containerImage("nginx:1.27"))
 *     ...
 * </pre>
 *
 * <ul>
 * <li><b>Endpoints</b> (child {@code Endpoints}, unless {@code endpoints(false)}): {@code ecr.api} and
 * {@code ecr.dkr} in the VPC, whose policies let this account's principals use this account's registry and the
 * cache's only, and an S3 gateway endpoint limited to the region's layer bucket.</li>
 * <li><b>Routing</b>: {@link #imageUri} and {@link #containerImage} point at the cache's registry; a container's
 * task execution role gets the identity side of the pull ({@link IPullThroughCacheRule#grantPull}). Nothing is
 * written into this account's registry policy: the cache's registry allows this account through its sharing
 * ({@code PullThroughCacheProps.sharedWith}).</li>
 * <li><b>Warming</b> (child {@code Warmer}, a {@link CacheWarmer}, unless {@code warm(false)}): a function of this
 * account, outside the VPC, pulls every image routed here or given to {@link #warm} through the cache's registry
 * when the stack is deployed, so that the first pull reaches the upstream, and daily after (unless its options give
 * another schedule), so that a central cache that evicts unpulled images keeps what this account uses. Its role is granted here, on the
 * prefixes it warms; the cache's sharing lets it in. It is created with the consumer, and each image reaches it
 * as it is routed.</li>
 * <li><b>Ordering</b>: the task definition of a {@link #containerImage} (so its services) waits for the endpoints
 * and for the warmer's run.</li>
 * </ul>
 *
 * <p>Where the cache may live: in another stack of this account, or in another account (imported with
 * {@link PullThroughCache#fromCacheAttributes}, and shared with this account), in this stack's region. A cache of
 * another region is refused, since this region's interface endpoints do not serve another region's registry; with
 * {@code endpoints(false)} and {@code warm(false)} it is accepted, and the VPC must then reach that region's
 * registry itself (a NAT gateway).
 *
 * <p>Children, whose ids are part of the API: {@code Vpc} (unless a VPC is given), {@code Endpoints},
 * {@code Warmer}.
 */
public class PullThroughCacheConsumer extends PullThroughCacheBase {

    private final IPullThroughCache cache;
    private final IVpc vpc;
    private final RegistryEndpoints endpoints;
    private final CacheWarmer warmer;

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the cache, and the consumer's VPC, endpoints and warming
     * @throws IllegalArgumentException when the cache is missing or has no rule, or is of another region while the
     *     consumer creates endpoints or warms
     */
    public PullThroughCacheConsumer(Construct scope, String id, PullThroughCacheConsumerProps props) {
        super(scope, id);
        if (props == null || props.getCache() == null) {
            throw new IllegalArgumentException("PullThroughCacheConsumerProps.cache is required: the cache to pull "
                    + "through, such as PullThroughCache.fromCacheAttributes(this, \"Central\", PullThroughCacheAttributes"
                    + ".builder().account(\"111111111111\").region(\"eu-west-1\").build()) for a cache of another "
                    + "account, or a PullThroughCache of another stack of this account");
        }
        this.cache = props.getCache();
        if (cache.getRules().isEmpty()) {
            throw new IllegalArgumentException("PullThroughCacheConsumerProps.cache " + cache.getNode().getPath()
                    + " has no rule: nothing could serve an image. Name its upstreams in PullThroughCacheAttributes"
                    + ".upstreams");
        }
        StackFacts here = StackFacts.of(scope);
        CacheLocation location = new CacheLocation(cache, here);
        location.checkRegion(props.isEndpoints(), props.isWarm());
        getNode().addValidation(location::sharingErrors);

        this.vpc = props.getVpc() != null ? props.getVpc() : new CacheVpc(this, "Vpc",
                // a consumer has no temporary NAT gateway: no public subnets, no internet gateway
                CacheVpcProps.builder().publicSubnets(false).build());
        if (props.isEndpoints()) {
            List<String> alsoAllowed = new ArrayList<>(props.getEndpointOptions().getAlsoAllowedRegistries());
            String central = location.otherAccountToAllow();
            if (central != null && !alsoAllowed.contains(central)) {
                alsoAllowed.add(central);
            }
            this.endpoints = new RegistryEndpoints(this, "Endpoints", RegistryEndpointsProps.builder()
                    .options(props.getEndpointOptions())
                    .vpc(vpc)
                    .restrictToThisRegistry(true)
                    .alsoAllowedRegistries(alsoAllowed)
                    .build());
        } else {
            this.endpoints = null;
            if (location.isOtherRegion() && cache instanceof ImportedPullThroughCache) {
                // the import's region warning is for VPCs with this region's endpoints, which this one has not
                Annotations.of(cache).acknowledgeWarning(ImportedPullThroughCache.OTHER_REGION_WARNING,
                        "PullThroughCacheConsumer " + getNode().getPath() + " creates no endpoints: its VPC reaches "
                                + "the cache's region itself");
            }
        }
        this.warmer = props.isWarm() ? createWarmer(daily(props.getWarmerOptions())) : null;
    }

    /**
     * The private URI of an upstream image in the cache's registry, warmed unless warming is off.
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return {@code <cache registry host>/<prefix>/<repository>[:tag][@digest]}
     * @throws IllegalArgumentException when the reference is invalid or no rule of the cache serves its registry
     */
    @Override
    public String imageUri(String imageReference) {
        return route(ruleFor(imageReference), imageReference);
    }

    private String route(IPullThroughCacheRule rule, String imageReference) {
        String uri = rule.imageUri(imageReference);
        if (recordImage(imageReference) && warmer != null) {
            warmer.addImages(List.of(imageReference));
        }
        return uri;
    }

    /**
     * An image for an ECS container, pulled through the cache. When the container binds it, the task execution
     * role gets the identity side of the pull on the rule that serves the image, and the task definition (so its
     * services) waits for the endpoints and the warmer's run, those the consumer has.
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return the image
     * @throws IllegalArgumentException when the reference is invalid or no rule of the cache serves its registry
     */
    @Override
    public ContainerImage containerImage(String imageReference) {
        IPullThroughCacheRule rule = ruleFor(imageReference);
        String uri = route(rule, imageReference);
        List<IDependable> before = new ArrayList<>();
        if (endpoints != null) {
            before.add(endpoints);
        }
        if (warmer != null) {
            before.add(warmer.getResource());
        }
        // the identity side only: the cache's own registry policy is the central stack's (its sharing)
        return new CacheContainerImage(uri, rule::grantPull, before);
    }

    /**
     * Warms images besides those routed here, such as images that something outside the app pulls in this
     * account: the warmer pulls them through the cache at deployment and on its schedule.
     *
     * @param imageReferences what you would pass to {@code docker pull}
     * @throws IllegalArgumentException when warming is off ({@code warm(false)}), or a reference is invalid, or no
     *     rule of the cache serves its registry
     */
    public void warm(String... imageReferences) {
        if (warmer == null) {
            throw new IllegalArgumentException("PullThroughCacheConsumer " + getNode().getPath() + " cannot warm "
                    + List.of(imageReferences) + ": warming is off (PullThroughCacheConsumerProps.warm is false). "
                    + "Give PullThroughCacheConsumerProps.warm(true)");
        }
        for (String image : imageReferences) {
            ruleFor(image);
        }
        List.of(imageReferences).forEach(this::recordImage);
        warmer.addImages(List.of(imageReferences));
    }

    /**
     * Lets a principal of this stack pull through every rule of the cache: the identity side
     * ({@link IPullThroughCacheRule#grantPull}); the cache's sharing is the other side.
     *
     * @param grantee a role, user or other grantable
     * @return the grants, combined
     */
    @Override
    public Grant grantPull(IGrantable grantee) {
        return combined(grantee, cache.getServed().stream().map(rule -> rule.grantPull(grantee)).toList(),
                "pull through cache " + cache.getNode().getPath() + ", which has no rule");
    }

    private IPullThroughCacheRule ruleFor(String imageReference) {
        return PullThroughCacheRule.serving(cache.getServed(), imageReference,
                "PullThroughCacheConsumer " + getNode().getPath() + " (cache " + cache.getNode().getPath() + ")",
                "Name the upstream in the cache's PullThroughCacheAttributes.upstreams, if the cache has a rule for it");
    }

    /**
     * @param repositoryPrefix a rule's prefix, such as {@code ecr-public}
     * @return the cache's rule of that prefix
     * @throws IllegalArgumentException when the cache has none, naming the prefixes it has
     */
    @Override
    public IPullThroughCacheRule getRule(String repositoryPrefix) {
        return cache.getRule(repositoryPrefix);
    }

    /** @return the cache's rules, in the order they were added */
    @Override
    public List<? extends IPullThroughCacheRule> getRules() {
        return cache.getRules();
    }

    /**
     * The warmer's settings, on a daily schedule unless given one: its pulls, as a principal of this account that the
     * central cache does not exclude from pull-time updates, keep what this account uses recently pulled, so that the
     * central evictor never deletes it while this stack exists.
     */
    private static CacheWarmerOptions daily(CacheWarmerOptions options) {
        CacheWarmerOptions given = options != null ? options : CacheWarmerOptions.builder().build();
        return given.getSchedule() != null ? given
                : CacheWarmerOptions.builder().options(given).schedule(ScheduleExpression.rate(Duration.days(1))).build();
    }

    /** Each rule and copied registry of the cache, as the cache tells them. */
    @Override
    public void forEachServed(Consumer<? super IPullThroughCacheRule> action) {
        cache.forEachServed(action);
    }

    /** @return the cache's copied registries */
    @Override
    public List<? extends IPullThroughCacheRule> getCopiedRegistries() {
        return cache.getCopiedRegistries();
    }

    /** @return the host of the cache's registry, {@code <account>.dkr.ecr.<region>.<suffix>} */
    @Override
    public String getRegistryHost() {
        return cache.getRegistryHost();
    }

    /** @return the cache the consumer pulls through */
    public IPullThroughCache getCache() {
        return cache;
    }

    /** @return the VPC: the one given, or the {@link CacheVpc} created */
    public IVpc getVpc() {
        return vpc;
    }

    /** @return the endpoints, or {@code null} with {@code endpoints(false)} */
    public RegistryEndpoints getEndpoints() {
        return endpoints;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Its {@code configureNodes} makes the nodes wait for this consumer's warm-up ({@link #getWarmUp()}).
     */
    @Override
    public RegistryMirrors registryMirrors() {
        return RegistryMirrors.of(this, IPullThroughCacheRule::grantPull, getWarmUp());
    }
}
