package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.registry.RegistryPolicy;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.registry.RegistryPolicyProps;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * The registry policy in REPLACE mode: a plain {@code AWS::ECR::RegistryPolicy}, retained on delete, for an
 * account where this stack alone writes the registry policy. It lets a task role fill the cache under
 * {@code k8s/} and account 222222222222 replicate into this registry.
 *
 * <p>Deliberately environment-agnostic: deploy it only to an account and region whose registry policy no
 * other stack or person writes (creating it fails where a policy exists).
 */
public class RegistryPolicyReplaceExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     */
    public RegistryPolicyReplaceExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Amazon ECR registry policy owned by this stack alone (REPLACE mode)")
                .build());

        new RegistryPolicy(this, "RegistryPolicy", RegistryPolicyProps.builder()
                .mode(RegistryPolicyMode.REPLACE)
                .build());

        Role taskRole = Role.Builder.create(this, "TaskExecutionRole")
                .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com"))
                .description("Pulls Kubernetes images through the cache")
                .build();
        PullThroughCacheRule kubernetes = new PullThroughCacheRule(this, "Kubernetes", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.KUBERNETES)
                .pullers(List.of(taskRole))
                .build());
        kubernetes.grantPull(taskRole);
        // cdk-nag reads acknowledgements from this metadata, on this role only. (Validations.acknowledge with
        // the id "AwsSolutions-IAM5[Resource::*]" would, in aws-cdk-lib 2.263, suppress the finding app-wide.)
        taskRole.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource scope",
                "NIST.800.53.R5-IAMNoInlinePolicy", "The example keeps the role's grants in its default policy"));

        RegistryPolicy.of(this).allowReplicationFrom("222222222222");
    }
}
