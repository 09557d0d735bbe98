package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.network.CacheVpc;
import java.util.Map;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The examples' web service: one Fargate task running an nginx image pulled through a cache, in the isolated subnets
 * of a {@link CacheVpc}, with its logs and the cdk-nag acknowledgements it needs (children {@code Cluster},
 * {@code Task}, {@code Logs}, {@code Service}).
 */
final class WebService {

    private WebService() {
    }

    /**
     * @param scope the stack
     * @param vpc a VPC with the cache's endpoints and {@link CacheVpc#ISOLATED} subnets
     * @param image the image, such as {@code cache.containerImage("public.ecr.aws/nginx/nginx:1.27")}
     */
    static void create(Construct scope, IVpc vpc, ContainerImage image) {
        Cluster cluster = Cluster.Builder.create(scope, "Cluster")
                .vpc(vpc)
                .containerInsightsV2(ContainerInsights.ENABLED)
                .build();
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(scope, "Task")
                .cpu(256)
                .memoryLimitMiB(512)
                .build();
        LogGroup logs = LogGroup.Builder.create(scope, "Logs").retention(RetentionDays.ONE_YEAR).build();
        task.addContainer("Web", ContainerDefinitionOptions.builder()
                .image(image)
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("web").build()))
                .build());
        FargateService.Builder.create(scope, "Service")
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
