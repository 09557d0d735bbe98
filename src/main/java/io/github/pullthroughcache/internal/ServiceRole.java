package io.github.pullthroughcache.internal;

import java.util.List;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * A role that an AWS service assumes on a construct's behalf (child {@code CustomRole}), with its
 * permissions in one managed policy (child {@code CustomRolePolicy}): NIST 800-53 R5 asks for no inline
 * policies. Internal: not part of the public API.
 *
 * @param role the role
 * @param policy its permissions, attached to it
 */
public record ServiceRole(Role role, ManagedPolicy policy) {

    /**
     * @param scope the construct the role serves
     * @param servicePrincipal the service that assumes it, such as {@code ecr.amazonaws.com}
     * @param roleDescription the role's description
     * @param policyDescription the policy's description
     * @param statements the permissions
     * @param wildcardReason why the wildcard resources are needed, for the cdk-nag acknowledgement
     * @param wildcardResources the resources of the statements that hold a wildcard
     * @return the role and its policy
     */
    public static ServiceRole create(Construct scope, String servicePrincipal, String roleDescription, String policyDescription,
            List<PolicyStatement> statements, String wildcardReason, List<String> wildcardResources) {
        return create(scope, "CustomRole", "CustomRolePolicy", servicePrincipal, roleDescription, policyDescription,
                statements, wildcardReason, wildcardResources);
    }

    /**
     * The same, with the construct ids of the role and its policy.
     *
     * @param scope the construct the role serves
     * @param roleId the role's construct id
     * @param policyId the policy's construct id
     * @param servicePrincipal the service that assumes it
     * @param roleDescription the role's description
     * @param policyDescription the policy's description
     * @param statements the permissions
     * @param wildcardReason why the wildcard resources are needed
     * @param wildcardResources the resources of the statements that hold a wildcard
     * @return the role and its policy
     */
    public static ServiceRole create(Construct scope, String roleId, String policyId, String servicePrincipal,
            String roleDescription, String policyDescription, List<PolicyStatement> statements, String wildcardReason,
            List<String> wildcardResources) {
        Role role = Role.Builder.create(scope, roleId)
                .assumedBy(new ServicePrincipal(servicePrincipal))
                .description(roleDescription)
                .build();
        ManagedPolicy policy = ManagedPolicy.Builder.create(scope, policyId)
                .description(policyDescription)
                .statements(statements)
                .roles(List.of(role))
                .build();
        if (!wildcardResources.isEmpty()) {
            NagAcknowledgements.acknowledgeResources(policy, "AwsSolutions-IAM5", wildcardReason, wildcardResources);
        }
        return new ServiceRole(role, policy);
    }
}
