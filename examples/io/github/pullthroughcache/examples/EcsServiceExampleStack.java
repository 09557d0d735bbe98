package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.constructs.Construct;

/**
 * An ECS Fargate service in isolated subnets, with no route to the internet and no NAT gateway ever, running an
 * image through the cache: {@code cache.containerImage(...)} rewrites the reference and grants the task execution
 * role, and the cache's default warmer pulls the image through the cache at deployment, from outside the VPC,
 * before the task definition (so the service) is created. The endpoints include CloudWatch Logs for the tasks' logs.
 */
public class EcsServiceExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     */
    public EcsServiceExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("An ECS Fargate service in isolated subnets, pulling through Amazon ECR pull through cache")
                .build());

        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC))
                .endpointOptions(RegistryEndpointsOptions.builder()
                        .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))
                        .build())
                .build());

        WebService.create(this, cache.getVpc(), cache.containerImage("public.ecr.aws/nginx/nginx:1.27"));
    }
}
