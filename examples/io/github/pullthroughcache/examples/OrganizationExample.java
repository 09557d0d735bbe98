package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.IPullThroughCache;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheAttributes;
import io.github.pullthroughcache.PullThroughCacheConsumer;
import io.github.pullthroughcache.PullThroughCacheConsumerProps;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.CacheVpcProps;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.constructs.Construct;

/**
 * One cache for a whole AWS Organization: a central cache in account 111111111111 shared with organization
 * o-a1b2c3d4e5, and a consumer account, 222222222222, whose Fargate service in isolated subnets pulls through it
 * with a {@link PullThroughCacheConsumer}: its endpoints, its warmer and the service's wait for both, with no NAT
 * gateway.
 */
public final class OrganizationExample {

    /** The central cache's account. */
    public static final String CENTRAL_ACCOUNT = "111111111111";
    /** The consumer's account. */
    public static final String CONSUMER_ACCOUNT = "222222222222";
    /** The organization both belong to. */
    public static final String ORGANIZATION = "o-a1b2c3d4e5";
    private static final String REGION = "eu-west-1";

    private OrganizationExample() {
    }

    /**
     * A stack of a known account and region whose VPCs take the region's first two zones from {@code Fn::GetAZs}, as
     * {@code PullThroughCacheStack} does: no context lookup, so {@code cdk synth} needs no credentials.
     */
    private static final class ZonesStack extends Stack {
        ZonesStack(Construct scope, String id, StackProps props) {
            super(scope, id, props);
        }

        @Override
        public List<String> getAvailabilityZones() {
            return CacheVpc.zonesResolvedAtDeploy(2);
        }
    }

    /**
     * @param scope the app
     * @param prefix the stacks' id prefix; the stacks are {@code <prefix>Central} and {@code <prefix>Consumer}
     * @return the central and the consumer stack
     */
    public static List<Stack> create(Construct scope, String prefix) {
        Stack central = new ZonesStack(scope, prefix + "Central", StackProps.builder()
                .env(Environment.builder().account(CENTRAL_ACCOUNT).region(REGION).build())
                .description("Amazon ECR pull through cache shared with organization " + ORGANIZATION)
                .build());
        UpstreamCredentialSecret dockerHub = new UpstreamCredentialSecret(central, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("platform-team").build());
        new PullThroughCache(central, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY,
                        UpstreamRegistry.dockerHub(dockerHub.getSecret())))
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .sharedWith(CacheConsumers.organization(ORGANIZATION))
                .build());

        Stack consumer = new ZonesStack(scope, prefix + "Consumer", StackProps.builder()
                .env(Environment.builder().account(CONSUMER_ACCOUNT).region(REGION).build())
                .description("A Fargate service pulling through the organization's central pull through cache")
                .build());
        IPullThroughCache shared = PullThroughCache.fromCacheAttributes(consumer, "Central",
                PullThroughCacheAttributes.builder()
                        .account(CENTRAL_ACCOUNT).region(REGION)
                        .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.dockerHub()))
                        .sharedWith(CacheConsumers.organization(ORGANIZATION))
                        .build());
        // a range of its own, apart from the central VPC's 10.0.0.0/16, should the two ever be connected; isolated
        // subnets only, since a consumer has no temporary NAT gateway
        CacheVpc vpc = new CacheVpc(consumer, "Vpc", CacheVpcProps.builder().cidr("10.1.0.0/16").publicSubnets(false)
                .build());
        // endpoints restricted to this registry and the central one, a warmer of the images routed here, and the
        // task definition waiting for both
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(consumer, "Cache",
                PullThroughCacheConsumerProps.builder()
                        .cache(shared)
                        .vpc(vpc)
                        .endpointOptions(RegistryEndpointsOptions.builder()
                                .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))
                                .build())
                        .build());
        WebService.create(consumer, vpc, cache.containerImage("public.ecr.aws/nginx/nginx:1.27"));
        return List.of(central, consumer);
    }
}
