package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates every resource of a synthesized template against the CloudFormation registry schema of its
 * type (test resources {@code cfn-schemas/}, copied from the official registry schemas). A value that is
 * an intrinsic function cannot be checked before deployment: errors located at or below one are ignored,
 * and nothing else is.
 */
public final class CfnSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            // CloudFormation's formats ("AWS::EC2::VPC.Id", "ipv4-network") are hints, not JSON Schema formats
            .formatAssertionsEnabled(false)
            .build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private CfnSchemas() {
    }

    /**
     * @param template a synthesized template
     * @return one line per violation: logical id, type, location and message; empty when valid
     * @throws IllegalStateException for a resource type that has no schema in the test resources
     */
    public static List<String> violations(JsonNode template) {
        List<String> out = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> resources = template.path("Resources").properties().iterator();
        while (resources.hasNext()) {
            Map.Entry<String, JsonNode> entry = resources.next();
            String type = entry.getValue().path("Type").asText();
            // an AWS::StepFunctions::StateMachine's definition, a string to its schema, is checked by asl-validator
            // (src/test/js/state-machines.test.js)
            if (type.equals("AWS::CDK::Metadata") || type.startsWith("Custom::")
                    || type.equals("AWS::CloudFormation::CustomResource")) {
                continue;
            }
            JsonNode properties = entry.getValue().path("Properties");
            if (properties.isMissingNode()) {
                properties = JSON.createObjectNode();
            }
            for (ValidationMessage message : schemaOf(type).validate(properties)) {
                String location = message.getInstanceLocation().toString();
                if (!underIntrinsic(properties, location)) {
                    out.add(entry.getKey() + " (" + type + ") " + location + ": " + message.getMessage());
                }
            }
        }
        return out;
    }

    /** @return whether the node at the pointer, or one of its ancestors, is an intrinsic function */
    static boolean underIntrinsic(JsonNode root, String pointer) {
        JsonNode node = root;
        if (isIntrinsic(node)) {
            return true;
        }
        for (String token : pointer.split("/")) {
            if (token.isEmpty()) {
                continue;
            }
            String key = token.replace("~1", "/").replace("~0", "~");
            node = node.isArray() ? node.path(Integer.parseInt(key)) : node.path(key);
            if (isIntrinsic(node)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIntrinsic(JsonNode node) {
        if (!node.isObject() || node.size() != 1) {
            return false;
        }
        String key = node.fieldNames().next();
        return key.equals("Ref") || key.startsWith("Fn::");
    }

    private static JsonSchema schemaOf(String type) {
        return SCHEMAS.computeIfAbsent(type, t -> {
            String file = "/cfn-schemas/" + t.toLowerCase(Locale.ROOT).replace("::", "-") + ".json";
            try (InputStream in = CfnSchemas.class.getResourceAsStream(file)) {
                if (in == null) {
                    throw new IllegalStateException("No CloudFormation schema for " + t + " in test resources "
                            + file + ": copy it from shared/cfn-schemas");
                }
                ObjectNode schema = (ObjectNode) JSON.readTree(in);
                // the provider meta-schema is not a JSON Schema draft to resolve offline
                schema.remove("$schema");
                toJavaPatterns(schema);
                return FACTORY.getSchema(schema, CONFIG);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The schemas' patterns are ECMAScript regular expressions, in which {@code [} inside a character class is a
     * literal; Java reads it as a nested class. Escapes it, changing nothing else.
     */
    private static void toJavaPatterns(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode pattern = object.get("pattern");
            if (pattern != null && pattern.isTextual()) {
                object.put("pattern", escapeBracketsInClasses(pattern.asText()));
            }
        }
        node.forEach(CfnSchemas::toJavaPatterns);
    }

    static String escapeBracketsInClasses(String pattern) {
        StringBuilder out = new StringBuilder();
        boolean inClass = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                out.append(c).append(pattern.charAt(++i));
            } else if (c == '[') {
                out.append(inClass ? "\\[" : "[");
                inClass = true;
            } else {
                if (c == ']') {
                    inClass = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
