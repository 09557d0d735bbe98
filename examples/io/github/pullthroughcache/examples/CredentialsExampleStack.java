package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.constructs.Construct;

/**
 * Registries that need a credential: Docker Hub and the GitHub Container Registry, each with its secret
 * ({@code ecr-pullthroughcache/docker-hub}, {@code ecr-pullthroughcache/github}; put the token in after the first
 * deploy). The cached repositories are encrypted with one new KMS key and tagged; each keeps its 50 newest
 * tags and no untagged image older than 14 days.
 */
public class CredentialsExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     */
    public CredentialsExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Amazon ECR pull through cache for Docker Hub and GHCR, with KMS and lifecycle rules")
                .build());

        UpstreamCredentialSecret dockerHub = new UpstreamCredentialSecret(this, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-docker-hub-user").build());
        UpstreamCredentialSecret github = new UpstreamCredentialSecret(this, "GithubCredential",
                UpstreamCredentialSecretProps.builder().secretName("github").username("my-github-user").build());

        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.dockerHub(dockerHub.getSecret()),
                        UpstreamRegistry.githubContainerRegistry(github.getSecret())))
                .creationTemplate(CreationTemplateOptions.builder()
                        .encryption(TemplateEncryption.KMS_NEW_KEY)
                        .resourceTags(Map.of("cost-center", "platform"))
                        .lifecycleRules(List.of(
                                CreationTemplateOptions.EXPIRE_UNTAGGED_AFTER_14_DAYS,
                                LifecycleRule.builder()
                                        .description("Keep the 50 most recently cached tags of each image")
                                        .tagStatus(TagStatus.TAGGED)
                                        .tagPatternList(List.of("*"))
                                        .maxImageCount(50)
                                        .build()))
                        .build())
                .build());

        CfnOutput.Builder.create(this, "Postgres").value(cache.imageUri("postgres:17"))
                .description("docker.io/library/postgres:17 through the cache").build();
        CfnOutput.Builder.create(this, "Actions").value(cache.imageUri("ghcr.io/actions/actions-runner:latest"))
                .description("ghcr.io/actions/actions-runner:latest through the cache").build();
        CfnOutput.Builder.create(this, "KeyArn").value(cache.getKey().getKeyArn())
                .description("The key of the cached repositories (retained when the stack goes)").build();
    }
}
