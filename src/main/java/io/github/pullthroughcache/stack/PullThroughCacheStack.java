package io.github.pullthroughcache.stack;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.constructs.Construct;

/**
 * A deployable pull through cache: a {@link PullThroughCache} (child {@code Cache}) in its own stack,
 * configured from props or from CDK context, with outputs for the registry and each prefix.
 *
 * <pre>
 * cdk deploy -c upstreams=ecr-public,quay,k8s -c temporaryNat=true   # first pulls go through a NAT gateway
 * cdk deploy -c upstreams=ecr-public,quay,k8s -c temporaryNat=false  # then it goes, the cache stays
 * </pre>
 *
 * <p>Context keys, each winning over its prop: {@code upstreams}, {@code prefixes}, {@code temporaryNat},
 * {@code endpoints}, {@code vpc} (attributes of a VPC to import), {@code availabilityZones}, {@code warm},
 * {@code warmImages} (images the cache's warmer pulls at deployment); see
 * {@link PullThroughCacheStackProps}. Synthesis looks nothing up, with or without an account and region: the
 * availability zones of a new VPC resolve at deploy time.
 *
 * <p>Outputs: {@code RegistryUri}, and {@code Prefix<rule id>} per rule with the URI its images are pulled
 * from.
 */
public class PullThroughCacheStack extends Stack {

    /** The context keys the stack reads, each winning over its prop. */
    public static final List<String> CONTEXT_KEYS = List.of("upstreams", "prefixes", "temporaryNat", "endpoints", "vpc",
            "availabilityZones", "warm", "warmImages");


    /** The upstreams context {@code upstreams} can name; those with a credential take a secret by name. */
    private static final Map<String, Function<ISecret, UpstreamRegistry>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("ecr-public", secret -> UpstreamRegistry.ECR_PUBLIC);
        BY_NAME.put("quay", secret -> UpstreamRegistry.QUAY);
        BY_NAME.put("k8s", secret -> UpstreamRegistry.KUBERNETES);
        BY_NAME.put("docker-hub", UpstreamRegistry::dockerHub);
        BY_NAME.put("github", UpstreamRegistry::githubContainerRegistry);
        BY_NAME.put("gitlab", UpstreamRegistry::gitlabContainerRegistry);
        BY_NAME.put("chainguard", UpstreamRegistry::chainguard);
    }

    private static final List<String> WITHOUT_CREDENTIAL = List.of("ecr-public", "quay", "k8s");

    private List<String> availabilityZones;
    private final PullThroughCache cache;

    /**
     * A stack with every prop at its default (or from cdk.json's context).
     *
     * @param scope the app
     * @param id the stack id
     */
    public PullThroughCacheStack(Construct scope, String id) {
        this(scope, id, null);
    }

    /**
     * @param scope the app
     * @param id the stack id
     * @param props the cache's settings, all optional
     */
    public PullThroughCacheStack(Construct scope, String id, PullThroughCacheStackProps props) {
        this(scope, id, props != null ? props : PullThroughCacheStackProps.builder().build(),
                new StackContext(scope.getNode()));
    }

    private PullThroughCacheStack(Construct scope, String id, PullThroughCacheStackProps props, StackContext context) {
        super(scope, id, StackProps.builder()
                .env(props.getEnv())
                .stackName(props.getStackName())
                .description(props.getDescription() != null ? props.getDescription()
                        : "Amazon ECR pull through cache with its VPC endpoints")
                .terminationProtection(props.isTerminationProtection())
                .build());
        List<String> zones = context.list("availabilityZones");
        this.availabilityZones = zones != null ? zones : props.getAvailabilityZones();

        Boolean natContext = context.bool("temporaryNat");
        Boolean endpointsContext = context.bool("endpoints");
        Boolean warmContext = context.bool("warm");
        Map<String, String> prefixesContext = context.map("prefixes");
        Map<String, String> prefixes = prefixesContext != null ? prefixesContext : props.getRepositoryPrefixes();
        List<String> names = context.list("upstreams");
        List<UpstreamRegistry> upstreams = names != null ? upstreamsNamed(names, context.typed("upstreams")) : props.getUpstreams();
        checkPrefixKeys(prefixes, upstreams);

        boolean temporaryNat = natContext != null ? natContext : props.isTemporaryNat();
        Map<String, Object> vpcContext = context.object("vpc");
        if (temporaryNat && vpcContext != null && !vpcContext.containsKey("publicSubnetIds")) {
            // say it in the words of the context, not of the Java props the NAT gateway would name
            throw StackContext.invalid("vpc", context.typed("vpc"), "'publicSubnetIds' and 'publicSubnetRouteTableIds' among "
                    + "the attributes while temporaryNat is true: the NAT gateway goes in a public subnet. Add them, or "
                    + "give -c temporaryNat=false");
        }

        this.cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .vpc(importedVpc(vpcContext, context.typed("vpc"), props.getVpcAttributes()))
                .upstreams(List.of())
                .creationTemplate(props.getCreationTemplate())
                .temporaryNat(temporaryNat)
                .endpoints(endpointsContext != null ? endpointsContext : props.isEndpoints())
                .registryPolicyMode(props.getRegistryPolicyMode() != null
                        ? props.getRegistryPolicyMode() : RegistryPolicyMode.MERGE)
                .warm(warmContext != null ? warmContext : props.getWarm())
                .build());
        for (UpstreamRegistry upstream : upstreams) {
            cache.addRule(PullThroughCacheRuleProps.builder()
                    .upstream(upstream)
                    .repositoryPrefix(prefixes.get(upstream.getDefaultRepositoryPrefix()))
                    .build());
        }
        List<String> imagesContext = context.list("warmImages");
        List<String> warmImages = imagesContext != null ? imagesContext : props.getWarmImages();
        if (!warmImages.isEmpty()) {
            cache.warm(warmImages.toArray(String[]::new));
        }

        CfnOutput.Builder.create(this, "RegistryUri").value(cache.getRegistryHost())
                .description("The private registry that images are pulled through").build();
        for (PullThroughCacheRule rule : cache.getRules()) {
            CfnOutput.Builder.create(this, "Prefix" + rule.getNode().getId())
                    .value(cache.repositoryUriPrefix(rule.getRepositoryPrefix()))
                    .description("Pull " + rule.getUpstream().getUrl() + "/<image> as this/<image>")
                    .build();
        }
    }

    private List<UpstreamRegistry> upstreamsNamed(List<String> names, Object typed) {
        List<UpstreamRegistry> upstreams = new ArrayList<>();
        for (String name : names) {
            Function<ISecret, UpstreamRegistry> factory = BY_NAME.get(name);
            if (factory == null) {
                throw StackContext.invalid("upstreams", typed, "names out of " + BY_NAME.keySet() + "; '" + name
                        + "' is none of them (Azure and ECR to ECR rules take props: PullThroughCache.addRule)");
            }
            upstreams.add(factory.apply(WITHOUT_CREDENTIAL.contains(name) ? null
                    : Secret.fromSecretNameV2(this, "Credential" + ConstructIds.pascalCase(name), UpstreamRegistry.SECRET_NAME_PREFIX + name)));
        }
        return upstreams;
    }

    private static void checkPrefixKeys(Map<String, String> prefixes, List<UpstreamRegistry> upstreams) {
        List<String> defaults = upstreams.stream().map(UpstreamRegistry::getDefaultRepositoryPrefix).toList();
        for (String key : prefixes.keySet()) {
            if (!defaults.contains(key)) {
                throw new IllegalArgumentException("Prefixes (PullThroughCacheStackProps.repositoryPrefixes or context "
                        + "'prefixes') name '" + key + "', which is not the default prefix of any upstream of the "
                        + "stack: " + defaults);
            }
        }
    }

    private IVpc importedVpc(Map<String, Object> context, Object typed, VpcAttributes props) {
        VpcAttributes attributes = context != null ? StackContext.vpcAttributes(context, typed) : props;
        return attributes == null ? null : Vpc.fromVpcAttributes(this, "Vpc", attributes);
    }

    /**
     * The zones given, else the region's first two as {@code Fn::GetAZs} tokens, resolved at deploy time:
     * unlike {@link Stack}'s own, never a context lookup, with or without an account and region.
     */
    @Override
    public List<String> getAvailabilityZones() {
        if (availabilityZones == null) {
            this.availabilityZones = CacheVpc.zonesResolvedAtDeploy(2);
        }
        return availabilityZones;
    }

    /** @return the cache */
    public PullThroughCache getCache() {
        return cache;
    }
}
