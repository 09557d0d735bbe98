package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * An ECS Fargate service in isolated subnets, with no route to the internet, running an image through the
 * cache: {@code cache.containerImage(...)} rewrites the reference and grants the task execution role. The
 * endpoints include CloudWatch Logs for the tasks' logs.
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

        Cluster cluster = Cluster.Builder.create(this, "Cluster")
                .vpc(cache.getVpc())
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(this, "Task")
                .cpu(256)
                .memoryLimitMiB(512)
                .build();
        LogGroup logs = LogGroup.Builder.create(this, "Logs").retention(RetentionDays.ONE_YEAR).build();
        task.addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27"))
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("web").build()))
                .build());
        FargateService.Builder.create(this, "Service")
                .cluster(cluster)
                .taskDefinition(task)
                .desiredCount(1)
                // a task that cannot pull fails the deployment in minutes, and rolls it back, instead of hours
                .circuitBreaker(DeploymentCircuitBreaker.builder().enable(true).rollback(true).build())
                // one task: replace it by starting the new one before stopping the old
                .minHealthyPercent(100)
                .vpcSubnets(SubnetSelection.builder().subnetGroupName(CacheVpc.ISOLATED).build())
                .assignPublicIp(false)
                .build();

        // cdk-nag reads acknowledgements from this metadata, on these constructs only
        task.obtainExecutionRole().getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource scope",
                "NIST.800.53.R5-IAMNoInlinePolicy", "ECS keeps the execution role's grants in its default policy"));
        logs.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "NIST.800.53.R5-CloudWatchLogGroupEncrypted", "nginx access logs; CloudWatch Logs encrypts them at "
                        + "rest with its own key"));
    }
}
