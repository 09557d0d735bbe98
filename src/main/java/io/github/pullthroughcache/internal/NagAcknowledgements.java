package io.github.pullthroughcache.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.constructs.IConstruct;

/**
 * Acknowledges cdk-nag findings with aws-cdk-lib's own {@link Validations#acknowledge}, which cdk-nag 3
 * reads: no runtime dependency on cdk-nag, and each acknowledgement sits on the narrowest construct with
 * its reason. Internal: not part of the public API.
 */
public final class NagAcknowledgements {

    private NagAcknowledgements() {
    }

    /**
     * @param construct the narrowest construct the finding is on (it covers the construct's children)
     * @param ruleId such as {@code AwsSolutions-SMG4}
     * @param reason why the finding is acceptable
     */
    public static void acknowledge(IConstruct construct, String ruleId, String reason) {
        // qualified by the pack ("AwsSolutions::AwsSolutions-SMG4"), the acknowledgement and its reason are
        // recorded in the validation report as a suppressed finding
        String pack = ruleId.substring(0, ruleId.indexOf('-'));
        Validations.of(construct).acknowledge(Acknowledgment.builder().id(pack + "::" + ruleId).reason(reason).build());
    }

    /**
     * Acknowledges single findings of a granular rule, such as
     * {@code AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:...:repository/quay/*]}.
     *
     * <p>{@link Validations#acknowledge} refuses such ids (they hold more than one {@code ::}), so they are
     * recorded under the same documented metadata key it writes, {@link Validations#ACKNOWLEDGED_RULES_METADATA_KEY},
     * which cdk-nag reads.
     *
     * @param construct the narrowest construct holding the findings, such as a role's default policy
     * @param ruleId such as {@code AwsSolutions-IAM5}
     * @param reason why
     * @param resources the resources as written in the policy (tokens allowed); each one finding
     */
    public static void acknowledgeResources(IConstruct construct, String ruleId, String reason, List<String> resources) {
        Map<String, String> findings = new LinkedHashMap<>();
        for (String resource : resources) {
            findings.put(ruleId + "[Resource::" + render(Stack.of(construct).resolve(resource)) + "]", reason);
        }
        construct.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, findings);
    }

    /** cdk-nag's text for a resolved value: pseudo parameters and references in angle brackets. */
    private static String render(Object resolved) {
        if (resolved instanceof Map<?, ?> map) {
            if (map.get("Fn::Join") instanceof List<?> join && join.size() == 2 && join.get(1) instanceof List<?> parts) {
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < parts.size(); i++) {
                    out.append(i > 0 ? join.get(0) : "").append(render(parts.get(i)));
                }
                return out.toString();
            }
            if (map.get("Ref") instanceof String ref) {
                return "<" + ref + ">";
            }
            if (map.get("Fn::GetAtt") instanceof List<?> attribute && attribute.size() == 2) {
                return "<" + attribute.get(0) + "." + attribute.get(1) + ">";
            }
        }
        return String.valueOf(resolved);
    }
}
