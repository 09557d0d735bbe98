package com.myorg;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.constructs.Construct;

/**
 * A pull through cache for ECR Public and Quay in a VPC with no route to the internet, and a Fargate service
 * whose image comes through it. No NAT gateway: the cache's warmer pulls the image through the cache at
 * deployment, before the service starts.
 */
public class StarterStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     * @param props the stack's account and region
     */
    public StarterStack(Construct scope, String id, StackProps props) {
        super(scope, id, props);

        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                .endpointOptions(RegistryEndpointsOptions.builder()
                        // the tasks send their logs without internet too
                        .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))
                        .build())
                .build());

        Cluster cluster = Cluster.Builder.create(this, "Cluster").vpc(cache.getVpc()).build();
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(this, "Task")
                .cpu(256)
                .memoryLimitMiB(512)
                .build();
        task.addContainer("Web", ContainerDefinitionOptions.builder()
                // <account>.dkr.ecr.<region>.amazonaws.com/ecr-public/nginx/nginx:1.27, with the pull granted
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27"))
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder().streamPrefix("web").build()))
                .build());
        FargateService.Builder.create(this, "Service")
                .cluster(cluster)
                .taskDefinition(task)
                .desiredCount(1)
                // a task that cannot pull fails the deployment in minutes, and rolls it back
                .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
                .minHealthyPercent(100)
                .vpcSubnets(SubnetSelection.builder().subnetGroupName(CacheVpc.ISOLATED).build())
                .build();
    }

    /**
     * The region's first two zones, resolved by CloudFormation at deploy: with an account and region, a
     * {@code Stack} looks its zones up in the account, which needs AWS credentials at {@code cdk synth}.
     */
    @Override
    public List<String> getAvailabilityZones() {
        return CacheVpc.zonesResolvedAtDeploy(2);
    }
}
