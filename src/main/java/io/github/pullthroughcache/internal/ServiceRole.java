package io.github.pullthroughcache.internal;

import java.util.List;
import java.util.Objects;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * A role that an AWS service assumes on a construct's behalf (child {@code CustomRole} by default), with its
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
     * @return a builder of the role
     */
    public static Builder builder(Construct scope, String servicePrincipal) {
        return new Builder(scope, servicePrincipal);
    }

    /** Names what a service role is, one setting at a time. */
    public static final class Builder {
        private final Construct scope;
        private final String servicePrincipal;
        private String roleId = "CustomRole";
        private String policyId = "CustomRolePolicy";
        private String roleDescription;
        private String policyDescription;
        private List<PolicyStatement> statements = List.of();
        private String wildcardReason;
        private List<String> wildcardResources = List.of();

        private Builder(Construct scope, String servicePrincipal) {
            this.scope = scope;
            this.servicePrincipal = servicePrincipal;
        }

        /**
         * @param roleId the role's construct id (default {@code CustomRole})
         * @param policyId the policy's construct id (default {@code CustomRolePolicy})
         * @return this builder
         */
        public Builder ids(String roleId, String policyId) {
            this.roleId = roleId;
            this.policyId = policyId;
            return this;
        }

        /**
         * @param roleDescription the role's description
         * @param policyDescription the policy's description
         * @return this builder
         */
        public Builder descriptions(String roleDescription, String policyDescription) {
            this.roleDescription = roleDescription;
            this.policyDescription = policyDescription;
            return this;
        }

        /**
         * @param statements the permissions
         * @return this builder
         */
        public Builder statements(List<PolicyStatement> statements) {
            this.statements = statements;
            return this;
        }

        /**
         * The resources of the statements that hold a wildcard, acknowledged for cdk-nag with the reason.
         *
         * @param reason why the wildcards are needed
         * @param resources the resources, as written in the statements
         * @return this builder
         */
        public Builder wildcards(String reason, List<String> resources) {
            this.wildcardReason = reason;
            this.wildcardResources = resources;
            return this;
        }

        /** @return the role and its policy, created */
        public ServiceRole create() {
            Role role = Role.Builder.create(scope, roleId)
                    .assumedBy(new ServicePrincipal(servicePrincipal))
                    .description(Objects.requireNonNull(roleDescription, "roleDescription"))
                    .build();
            ManagedPolicy policy = ManagedPolicy.Builder.create(scope, policyId)
                    .description(Objects.requireNonNull(policyDescription, "policyDescription"))
                    .statements(statements)
                    .roles(List.of(role))
                    .build();
            if (!wildcardResources.isEmpty()) {
                NagAcknowledgements.acknowledgeResources(policy, "AwsSolutions-IAM5", wildcardReason, wildcardResources);
            }
            return new ServiceRole(role, policy);
        }
    }
}
