package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A small IAM policy evaluator for tests: decides whether a principal may call an action on a resource, from the
 * identity policies of its role and the resource-based policies of the resource's owner, as read from synthesized
 * templates. It follows IAM's evaluation logic for the parts our policies use
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html and, across accounts,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html): an explicit
 * Deny wins; in one account an Allow of either side is enough; across accounts both sides must allow. It honours
 * Principal ({@code *}, an account, a role ARN), Action and Resource with {@code *} and {@code ?} wildcards, and the
 * conditions {@code StringEquals}, {@code StringLike}, {@code StringNotEquals}, {@code ForAnyValue:StringLike} and
 * {@code ForAllValues:StringEquals} on the request's {@code aws:PrincipalOrgID}, {@code aws:PrincipalAccount},
 * {@code aws:PrincipalArn}, {@code aws:PrincipalOrgPaths} and {@code aws:TagKeys}. Anything else it meets
 * ({@code NotAction}, {@code NotResource}, {@code NotPrincipal}, another operator) fails the test rather than being
 * guessed at.
 */
public final class IamDecisions {

    /** What IAM decides. */
    public enum Decision { ALLOW, IMPLICIT_DENY, EXPLICIT_DENY }

    /**
     * Who calls.
     *
     * @param arn the principal's ARN, as a template's policies name it
     * @param account its account
     * @param context the request's other global condition keys, such as {@code aws:PrincipalOrgID}
     */
    public record Principal(String arn, String account, Map<String, List<String>> context) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private IamDecisions() {
    }

    /**
     * @param principal who calls
     * @param identity the statements of the principal's identity policies
     * @param resourceAccount the account that owns the resource
     * @param resourcePolicy the statements of the resource-based policies that apply to the action
     * @param action such as {@code ecr:BatchGetImage}
     * @param resource the resource's ARN
     * @return the decision
     */
    public static Decision decide(Principal principal, List<JsonNode> identity, String resourceAccount,
            List<JsonNode> resourcePolicy, String action, String resource) {
        Decision byIdentity = evaluate(identity, null, principal, action, resource);
        Decision byResource = evaluate(resourcePolicy, principal, principal, action, resource);
        if (byIdentity == Decision.EXPLICIT_DENY || byResource == Decision.EXPLICIT_DENY) {
            return Decision.EXPLICIT_DENY;
        }
        boolean allowed = principal.account().equals(resourceAccount)
                ? byIdentity == Decision.ALLOW || byResource == Decision.ALLOW
                : byIdentity == Decision.ALLOW && byResource == Decision.ALLOW;
        return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
    }

    /**
     * One side alone.
     *
     * @param statements the statements
     * @param principalOf who the statements' Principal must match, or {@code null} for identity policies (no Principal)
     * @param caller the request's principal, for conditions
     * @param action the action
     * @param resource the resource's ARN
     * @return ALLOW when a statement allows and none denies
     */
    public static Decision evaluate(List<JsonNode> statements, Principal principalOf, Principal caller, String action,
            String resource) {
        Decision decision = Decision.IMPLICIT_DENY;
        for (JsonNode statement : statements) {
            for (String unsupported : List.of("NotAction", "NotResource", "NotPrincipal")) {
                if (statement.has(unsupported)) {
                    throw new IllegalArgumentException("IamDecisions does not evaluate " + unsupported + ": " + statement);
                }
            }
            boolean applies = matchesAny(statement.path("Action"), action, true)
                    && (statement.has("Resource") ? matchesAny(statement.path("Resource"), resource, false) : principalOf != null)
                    && (principalOf == null || principalMatches(statement.path("Principal"), principalOf))
                    && conditionHolds(statement.path("Condition"), caller);
            if (applies) {
                if (statement.path("Effect").asText().equals("Deny")) {
                    return Decision.EXPLICIT_DENY;
                }
                decision = Decision.ALLOW;
            }
        }
        return decision;
    }

    private static boolean principalMatches(JsonNode principal, Principal caller) {
        if (principal.isTextual()) {
            return principal.asText().equals("*");
        }
        for (JsonNode value : values(principal.path("AWS"))) {
            String name = value.asText();
            if (name.equals("*") || name.equals(caller.arn()) || name.equals(caller.account())
                    || name.matches("arn:[a-z-]+:iam::" + Pattern.quote(caller.account()) + ":root")) {
                return true;
            }
        }
        return false;
    }

    private static boolean conditionHolds(JsonNode condition, Principal caller) {
        for (Map.Entry<String, JsonNode> operator : condition.properties()) {
            for (Map.Entry<String, JsonNode> key : operator.getValue().properties()) {
                List<String> actual = caller.context().getOrDefault(key.getKey(), keyOf(key.getKey(), caller));
                List<String> expected = values(key.getValue()).stream().map(JsonNode::asText).toList();
                if (!operatorHolds(operator.getKey(), actual, expected)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<String> keyOf(String key, Principal caller) {
        return switch (key) {
            case "aws:PrincipalAccount" -> List.of(caller.account());
            case "aws:PrincipalArn" -> List.of(caller.arn());
            default -> List.of();
        };
    }

    private static boolean operatorHolds(String operator, List<String> actual, List<String> expected) {
        return switch (operator) {
            // a single-valued key: absent, it matches nothing
            case "StringEquals" -> actual.size() == 1 && expected.contains(actual.get(0));
            case "StringNotEquals" -> actual.size() != 1 || !expected.contains(actual.get(0));
            case "StringLike" -> actual.size() == 1 && expected.stream().anyMatch(e -> wildcard(e, actual.get(0), false));
            case "ForAnyValue:StringLike" -> actual.stream().anyMatch(a -> expected.stream().anyMatch(e -> wildcard(e, a, false)));
            // every value among those expected: true of no value at all
            case "ForAllValues:StringEquals" -> expected.containsAll(actual);
            default -> throw new IllegalArgumentException("IamDecisions does not evaluate the operator " + operator);
        };
    }

    private static boolean matchesAny(JsonNode patterns, String value, boolean ignoreCase) {
        return values(patterns).stream().anyMatch(pattern -> wildcard(pattern.asText(), value, ignoreCase));
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} one; actions compare without case. */
    static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
    }

    private static List<JsonNode> values(JsonNode node) {
        List<JsonNode> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(values::add);
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.add(node);
        }
        return values;
    }

    /**
     * The statements of every identity policy of a role in a template: its inline {@code Policies}, the
     * {@code AWS::IAM::Policy} and {@code AWS::IAM::ManagedPolicy} resources that name it in {@code Roles}, and the
     * managed policies of the template in its {@code ManagedPolicyArns}. A managed policy named by ARN (an AWS managed
     * policy) cannot be read here, so it fails the test.
     *
     * @param template the template, with intrinsics
     * @param role the role's logical id
     * @param pseudo the values of {@code AWS::Partition}, {@code AWS::URLSuffix} and the like
     * @return the statements, intrinsics resolved
     */
    public static List<JsonNode> identityStatements(JsonNode template, String role, Map<String, String> pseudo) {
        List<JsonNode> statements = new ArrayList<>();
        JsonNode resources = template.path("Resources");
        JsonNode roleProperties = resources.path(role).path("Properties");
        roleProperties.path("Policies").forEach(policy -> statements.addAll(statementsOf(policy.path("PolicyDocument"), pseudo)));
        for (JsonNode arn : roleProperties.path("ManagedPolicyArns")) {
            if (!arn.has("Ref")) {
                throw new IllegalArgumentException("Role " + role + " has the managed policy " + arn + ", not in the template");
            }
            statements.addAll(statementsOf(resources.path(arn.path("Ref").asText()).path("Properties").path("PolicyDocument"),
                    pseudo));
        }
        resources.properties().forEach(entry -> {
            String type = entry.getValue().path("Type").asText();
            JsonNode properties = entry.getValue().path("Properties");
            if ((type.equals("AWS::IAM::Policy") || type.equals("AWS::IAM::ManagedPolicy"))
                    && properties.path("Roles").toString().contains("{\"Ref\":\"" + role + "\"}")) {
                statements.addAll(statementsOf(properties.path("PolicyDocument"), pseudo));
            }
        });
        return statements;
    }

    /**
     * @param document a policy document or a list of statements: as an object, or as JSON text (with intrinsics)
     * @param pseudo pseudo parameter values
     * @return its statements, intrinsics resolved
     */
    public static List<JsonNode> statementsOf(JsonNode document, Map<String, String> pseudo) {
        JsonNode resolved = resolve(document, pseudo);
        if (resolved.isTextual()) {
            try {
                resolved = JSON.readTree(resolved.asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return values(resolved.isArray() ? resolved : resolved.path("Statement"));
    }

    /**
     * Resolves {@code Fn::Join}, and {@code Ref} of pseudo parameters; another {@code Ref} or an {@code Fn::GetAtt}
     * becomes a placeholder ({@code ${Ref:Id}}, {@code ${Id.Arn}}) that equals only itself.
     *
     * @param node a template fragment
     * @param pseudo pseudo parameter values, such as {@code AWS::Partition} to {@code aws}
     * @return the fragment, resolved
     */
    public static JsonNode resolve(JsonNode node, Map<String, String> pseudo) {
        if (node.isObject() && node.size() == 1 && node.has("Ref")) {
            String name = node.path("Ref").asText();
            return new TextNode(pseudo.getOrDefault(name, "${Ref:" + name + "}"));
        }
        if (node.isObject() && node.size() == 1 && node.has("Fn::GetAtt")) {
            return new TextNode("${" + node.path("Fn::GetAtt").path(0).asText() + "." + node.path("Fn::GetAtt").path(1).asText() + "}");
        }
        if (node.isObject() && node.size() == 1 && node.has("Fn::Join")) {
            StringBuilder joined = new StringBuilder();
            String separator = node.path("Fn::Join").path(0).asText();
            List<JsonNode> parts = values(node.path("Fn::Join").path(1));
            for (int i = 0; i < parts.size(); i++) {
                joined.append(i == 0 ? "" : separator).append(resolve(parts.get(i), pseudo).asText());
            }
            return new TextNode(joined.toString());
        }
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.properties().forEach(entry -> copy.set(entry.getKey(), resolve(entry.getValue(), pseudo)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            node.forEach(item -> copy.add(resolve(item, pseudo)));
            return copy;
        }
        return node;
    }

    /**
     * @param region a region
     * @param account an account
     * @return the pseudo parameters of a stack of the {@code aws} partition there
     */
    public static Map<String, String> pseudoParameters(String account, String region) {
        return Map.of("AWS::Partition", "aws", "AWS::URLSuffix", "amazonaws.com", "AWS::AccountId", account,
                "AWS::Region", region, "AWS::StackName", "stack");
    }
}
