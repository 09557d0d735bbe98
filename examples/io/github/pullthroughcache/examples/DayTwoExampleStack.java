package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.operations.ImageEvictorOptions;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.kms.Alias;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * A cache on its second day: images nobody pulled for 90 days are deleted (and the repositories they leave empty),
 * the cached repositories go with the stack, the Docker Hub credential is checked hourly with an alarm on an SNS
 * topic, and a dashboard shows pulls, warming, eviction, credentials and the temporary NAT gateway's bytes.
 */
public class DayTwoExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     */
    public DayTwoExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Amazon ECR pull through cache with eviction, cleanup on destroy, credential alarms and a dashboard")
                .build());

        UpstreamCredentialSecret dockerHub = new UpstreamCredentialSecret(this, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-docker-hub-user").build());
        Topic alarms = Topic.Builder.create(this, "Alarms")
                .displayName("Pull through cache alarms")
                .enforceSsl(true)
                .masterKey(Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"))
                .build();

        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.dockerHub(dockerHub.getSecret())))
                .temporaryNat(true)
                .warm(true)
                .evictUnpulledAfter(Duration.days(90))
                .evictionOptions(ImageEvictorOptions.builder().deleteEmptyRepositories(true).build())
                .removeCachedRepositoriesOnDestroy(true)
                .validateCredentials(true)
                .alarmTopic(alarms)
                .dashboard(true)
                .build());

        CfnOutput.Builder.create(this, "Nginx").value(cache.imageUri("public.ecr.aws/nginx/nginx:1.27"))
                .description("public.ecr.aws/nginx/nginx:1.27 through the cache: kept however long it goes unpulled").build();
        CfnOutput.Builder.create(this, "Postgres").value(cache.imageUri("postgres:17"))
                .description("docker.io/library/postgres:17 through the cache").build();
        CfnOutput.Builder.create(this, "Dashboard").value(cache.getDashboard().getDashboardName())
                .description("The cache's CloudWatch dashboard").build();
    }
}
