package io.github.pullthroughcache.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.constructs.IConstruct;

/**
 * Acknowledges cdk-nag findings on one construct, with the reason, in the metadata cdk-nag 3 reads
 * ({@link Validations#ACKNOWLEDGED_RULES_METADATA_KEY}, {@code {ruleId: reason}}): cdk-nag matches it on the
 * construct and its children only. Internal: not part of the public API.
 *
 * <p>Not {@code Validations.acknowledge} with a pack-qualified id: aws-cdk-lib 2.263 then suppresses the
 * whole finding group of that rule, which cdk-nag forms across the app, so an acknowledgement here would
 * hide the same finding on a user's construct elsewhere. A granular id such as
 * {@code AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:...]} is refused by {@code Validations} anyway.
 */
public final class NagAcknowledgements {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NagAcknowledgements() {
    }

    /**
     * @param construct the narrowest construct the finding is on (it covers the construct's children)
     * @param ruleId such as {@code AwsSolutions-SMG4} or {@code AwsSolutions-IAM5[Resource::*]}
     * @param reason why the finding is acceptable
     */
    public static void acknowledge(IConstruct construct, String ruleId, String reason) {
        construct.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(ruleId, reason));
    }

    /**
     * Acknowledges single findings of a granular rule, one per resource, as cdk-nag names them:
     * {@code AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:...:repository/quay/*]}.
     *
     * @param construct the narrowest construct holding the findings, such as a role's default policy
     * @param ruleId such as {@code AwsSolutions-IAM5}
     * @param reason why
     * @param resources the resources as written in the policy (tokens allowed)
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
        if (resolved instanceof Map<?, ?> || resolved instanceof List<?>) {
            // another intrinsic, such as a state machine's name (Fn::Select of its ARN): cdk-nag writes it as JSON
            try {
                return JSON.writeValueAsString(resolved);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.valueOf(resolved);
    }
}
