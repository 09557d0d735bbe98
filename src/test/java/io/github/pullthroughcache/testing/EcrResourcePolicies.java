package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resource-based side of an ECR request, read off the template of the registry's account: the registry policy
 * (a {@code Custom::EcrRegistryPolicyStatements} or an {@code AWS::ECR::RegistryPolicy}) for the actions ECR enforces
 * at the registry level, and the repository policy that a {@code AWS::ECR::RepositoryCreationTemplate} gives the
 * repositories under its prefix. Per the pull through cache user guide
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html), {@code ecr:CreateRepository}
 * is granted by the registry policy, {@code ecr:BatchImportUpstreamImage} by the registry or the repository policy,
 * and the pull actions by the repository policy; the registry level takes {@code ecr:ReplicateImage},
 * {@code ecr:BatchImportUpstreamImage} and {@code ecr:CreateRepository} only
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions.html).
 */
public final class EcrResourcePolicies {

    private static final Set<String> REGISTRY_ACTIONS = Set.of("ecr:ReplicateImage", "ecr:BatchImportUpstreamImage",
            "ecr:CreateRepository");

    private final List<JsonNode> registry = new ArrayList<>();
    private final List<Map.Entry<String, List<JsonNode>>> repositoryPolicies = new ArrayList<>();

    /**
     * @param template the template of the stack that writes the registry's settings, or {@code null} for none
     * @param pseudo its pseudo parameters
     */
    public EcrResourcePolicies(JsonNode template, Map<String, String> pseudo) {
        if (template == null) {
            return;
        }
        template.path("Resources").forEach(resource -> {
            JsonNode properties = resource.path("Properties");
            switch (resource.path("Type").asText()) {
                case "Custom::EcrRegistryPolicyStatements" ->
                        registry.addAll(IamDecisions.statementsOf(properties.path("Statements"), pseudo));
                case "AWS::ECR::RegistryPolicy" ->
                        registry.addAll(IamDecisions.statementsOf(properties.path("PolicyText"), pseudo));
                case "AWS::ECR::RepositoryCreationTemplate" -> {
                    if (properties.has("RepositoryPolicy")) {
                        repositoryPolicies.add(Map.entry(properties.path("Prefix").asText(),
                                IamDecisions.statementsOf(properties.path("RepositoryPolicy"), pseudo)));
                    }
                }
                default -> { }
            }
        });
    }

    /**
     * @param action an ECR action
     * @param repositoryArn {@code arn:aws:ecr:<region>:<account>:repository/<name>}
     * @return the statements that apply to it
     */
    public List<JsonNode> statementsFor(String action, String repositoryArn) {
        List<JsonNode> statements = new ArrayList<>();
        if (REGISTRY_ACTIONS.contains(action)) {
            statements.addAll(registry);
        }
        if (!action.equals("ecr:CreateRepository") && !action.equals("ecr:ReplicateImage")) {
            String name = repositoryArn.substring(repositoryArn.indexOf(":repository/") + ":repository/".length());
            for (Map.Entry<String, List<JsonNode>> policy : repositoryPolicies) {
                String prefix = policy.getKey();
                if (prefix.equals("ROOT") || name.startsWith(prefix + "/")) {
                    statements.addAll(policy.getValue());
                }
            }
        }
        return statements;
    }
}
