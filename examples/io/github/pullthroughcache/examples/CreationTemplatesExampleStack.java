package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RepositoryCreationTemplate;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.constructs.Construct;

/**
 * Repository creation templates for the repositories two rules create. GitHub Container Registry images are
 * encrypted with a customer managed KMS key that the template creates (rotated, retained) and tagged, under
 * lifecycle rules that keep the 20 newest releases; ECR to ECR images get the defaults (AES-256, mutable tags,
 * untagged images expire after 14 days; an image not pulled for 180 days is archived).
 */
public class CreationTemplatesExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     * @param env where to deploy, or {@code null} for an environment-agnostic stack
     */
    public CreationTemplatesExampleStack(Construct scope, String id, Environment env) {
        super(scope, id, StackProps.builder()
                .env(env)
                .description("Amazon ECR pull through cache rules with repository creation templates: KMS and lifecycle")
                .build());

        UpstreamCredentialSecret githubCredential = new UpstreamCredentialSecret(this, "GithubCredential",
                UpstreamCredentialSecretProps.builder()
                        .secretName("github")
                        .username("my-github-user")
                        .build());
        PullThroughCacheRule github = new PullThroughCacheRule(this, "Github", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.githubContainerRegistry(githubCredential.getSecret()))
                .build());
        RepositoryCreationTemplate githubTemplate = github.addCreationTemplate(CreationTemplateOptions.builder()
                .encryption(TemplateEncryption.KMS_NEW_KEY)
                .resourceTags(Map.of("cache", "github"))
                .lifecycleRules(List.of(
                        LifecycleRule.builder()
                                .description("Keep the 20 newest releases")
                                .tagPatternList(List.of("v*"))
                                .maxImageCount(20)
                                .build(),
                        LifecycleRule.builder()
                                .description("Expire untagged images a week after they were cached")
                                .tagStatus(TagStatus.UNTAGGED)
                                .maxImageAge(Duration.days(7))
                                .build()))
                .build());

        PullThroughCacheRule ecr = new PullThroughCacheRule(this, "Ecr", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.ecrPrivate("222222222222", "us-east-1"))
                // ecr/<name> here is platform/<name> there: the custom role reads repository/platform/* upstream only
                .upstreamRepositoryPrefix("platform")
                .build());
        // an image nobody pulled for half a year moves to archive storage: cheaper, but a pull answers 404 until it
        // is restored, and it is billed 90 days at least
        ecr.addCreationTemplate(CreationTemplateOptions.builder().archiveUnpulledAfter(Duration.days(180)).build());

        CfnOutput.Builder.create(this, "GithubKeyArn")
                .value(githubTemplate.getEncryptionKey().getKeyArn())
                .description("The KMS key of cached GitHub Container Registry repositories (retained on stack delete)")
                .build();
    }
}
