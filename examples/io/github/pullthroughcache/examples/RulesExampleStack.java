package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * A pull through cache rule for each registry that needs no credential (ECR Public, Quay, Kubernetes)
 * and one for Docker Hub, whose access token goes into a secret after the first deploy. A task execution
 * role may fill the cache: its identity policy comes from {@code grantPull}, and the registry policy
 * (MERGE mode, keeping statements other stacks wrote) names it for each prefix.
 */
public class RulesExampleStack extends Stack {

    private final Role taskExecutionRole;

    /**
     * @param scope the app
     * @param id the stack id
     * @param env where to deploy, or {@code null} for an environment-agnostic stack
     */
    public RulesExampleStack(Construct scope, String id, Environment env) {
        super(scope, id, StackProps.builder()
                .env(env)
                .description("Amazon ECR pull through cache rules for ECR Public, Quay, Kubernetes and Docker Hub")
                .build());

        this.taskExecutionRole = Role.Builder.create(this, "TaskExecutionRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Pulls images through the cache")
                .build();
        // cdk-nag reads acknowledgements from this metadata, on this role only. (Validations.acknowledge with
        // the id "AwsSolutions-IAM5[Resource::*]" would, in aws-cdk-lib 2.263, suppress the finding app-wide.)
        this.taskExecutionRole.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource scope",
                "NIST.800.53.R5-IAMNoInlinePolicy", "The example keeps the role's grants in its default policy"));

        PullThroughCacheRule ecrPublic = rule("EcrPublic", UpstreamRegistry.ECR_PUBLIC);
        PullThroughCacheRule quay = rule("Quay", UpstreamRegistry.QUAY);
        PullThroughCacheRule kubernetes = rule("Kubernetes", UpstreamRegistry.KUBERNETES);

        UpstreamCredentialSecret dockerHubCredential = new UpstreamCredentialSecret(this, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder()
                        .secretName("docker-hub")
                        .username("my-docker-hub-user")
                        .build());
        PullThroughCacheRule dockerHub = rule("DockerHub", UpstreamRegistry.dockerHub(dockerHubCredential.getSecret()));

        output("NginxFromEcrPublic", ecrPublic.imageUri("public.ecr.aws/nginx/nginx:1.27"));
        output("PrometheusFromQuay", quay.imageUri("quay.io/prometheus/prometheus:v3.0.0"));
        output("PauseFromKubernetes", kubernetes.imageUri("registry.k8s.io/pause:3.10"));
        output("NginxFromDockerHub", dockerHub.imageUri("nginx:1.27"));
    }

    private PullThroughCacheRule rule(String id, UpstreamRegistry upstream) {
        PullThroughCacheRule rule = new PullThroughCacheRule(this, id, PullThroughCacheRuleProps.builder()
                .upstream(upstream)
                .pullers(List.of(taskExecutionRole))
                .build());
        rule.grantPull(taskExecutionRole);
        return rule;
    }

    private void output(String id, String imageUri) {
        CfnOutput.Builder.create(this, id).value(imageUri).description("Pull this URI instead of the upstream one").build();
    }
}
