package io.github.pullthroughcache.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.Role;
import software.constructs.IConstruct;

/**
 * Acknowledges cdk-nag findings on one resource, with the reason, in the metadata format cdk-nag reads
 * ({@code cdk_nag.rules_to_suppress}). Writing the metadata directly keeps cdk-nag out of the library's
 * runtime dependencies. Internal: not part of the public API.
 */
public final class NagAcknowledgements {

    private NagAcknowledgements() {
    }

    /**
     * @param resource the narrowest L1 the finding is on
     * @param ruleId such as {@code AwsSolutions-IAM5}
     * @param reason why the finding is acceptable
     * @param appliesTo the finding's subjects: exact strings (such as {@code Resource::*}) or {@link #regex(String)};
     *                  empty for the whole rule
     */
    public static void add(CfnResource resource, String ruleId, String reason, List<?> appliesTo) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", ruleId);
        entry.put("reason", reason);
        if (!appliesTo.isEmpty()) {
            entry.put("applies_to", appliesTo);
        }
        Object existing = resource.getMetadata("cdk_nag");
        List<Object> rules = new ArrayList<>();
        if (existing instanceof Map<?, ?> map && map.get("rules_to_suppress") instanceof List<?> list) {
            rules.addAll(list);
        }
        rules.add(entry);
        resource.addMetadata("cdk_nag", Map.of("rules_to_suppress", rules));
    }

    /**
     * @param pattern a JavaScript regular expression literal such as {@code /^Resource::arn:.*$/}
     * @return an applies-to entry that matches finding subjects by that expression
     */
    public static Map<String, String> regex(String pattern) {
        return Map.of("regex", pattern);
    }

    /** Findings on ECR repository ARNs under a prefix: {@code Resource::arn:<partition>:ecr:...:repository/.../*}. */
    public static final String ECR_REPOSITORY_WILDCARD =
            "/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecr:[^:]+:[^:]+:repository\\/.*\\*$/";

    /**
     * Acknowledges a finding on the default policy of a role that this library created, the narrowest
     * place an identity policy finding can be acknowledged.
     *
     * @param principal a role created in this app
     * @param ruleId such as {@code AwsSolutions-IAM5}
     * @param reason why
     * @param appliesTo the finding's subjects
     */
    public static void addToDefaultPolicy(IPrincipal principal, String ruleId, String reason, List<?> appliesTo) {
        if (principal instanceof Role role) {
            IConstruct policy = role.getNode().tryFindChild("DefaultPolicy");
            if (policy instanceof Policy p && p.getNode().getDefaultChild() instanceof CfnResource cfn) {
                add(cfn, ruleId, reason, appliesTo);
            }
        }
    }
}
