package io.github.pullthroughcache.stack;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.constructs.Node;

/**
 * Reads the context values of a {@link PullThroughCacheStack}. Values from {@code cdk.json} arrive as JSON
 * values; values from {@code -c key=value} as strings, so each reader takes both.
 */
final class StackContext {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VPC_ATTRIBUTES = List.of("vpcId", "vpcCidrBlock", "availabilityZones",
            "publicSubnetIds", "publicSubnetRouteTableIds", "privateSubnetIds", "privateSubnetRouteTableIds",
            "isolatedSubnetIds", "isolatedSubnetRouteTableIds");

    private final Map<String, Object> context;

    /** Reads the whole context in one jsii round trip. */
    @SuppressWarnings("unchecked")
    StackContext(Node node) {
        Object all = node.getAllContext();
        this.context = all instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    Boolean bool(String key) {
        Object value = context.get(key);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        String text = value.toString().trim();
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        throw invalid(key, value, "true or false");
    }

    List<String> list(String key) {
        Object value = parsed(key, "a list such as [\"a\", \"b\"] or a comma-separated string");
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        if (value instanceof List<?> items && items.stream().allMatch(String.class::isInstance)) {
            return items.stream().map(String.class::cast).toList();
        }
        throw invalid(key, typed(key), "a list of strings or a comma-separated string");
    }

    Map<String, String> map(String key) {
        Object value = parsed(key, "an object such as {\"a\": \"b\"} or a string such as a=b,c=d");
        if (value == null) {
            return null;
        }
        Map<String, String> result = new LinkedHashMap<>();
        if (value instanceof String text) {
            for (String pair : text.split(",")) {
                String[] parts = pair.split("=", 2);
                if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                    throw invalid(key, typed(key), "name=value pairs separated by commas");
                }
                result.put(parts[0].trim(), parts[1].trim());
            }
            return result;
        }
        if (value instanceof Map<?, ?> entries && entries.values().stream().allMatch(String.class::isInstance)) {
            entries.forEach((k, v) -> result.put(k.toString(), (String) v));
            return result;
        }
        throw invalid(key, typed(key), "an object of strings");
    }

    /** A JSON object of {@code -c key={...}}, or the object of cdk.json. */
    Map<String, Object> object(String key) {
        Object value = parsed(key, "a JSON object");
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> entries) {
            Map<String, Object> result = new LinkedHashMap<>();
            entries.forEach((k, v) -> result.put(k.toString(), v));
            return result;
        }
        throw invalid(key, typed(key), "a JSON object");
    }

    /** @return the value as the user gave it: the text of {@code -c key=value}, or the JSON value of cdk.json */
    Object typed(String key) {
        return context.get(key);
    }

    /**
     * {@code Vpc.fromVpcAttributes} from the context object {@code vpc}, whose keys are the attribute names.
     *
     * @param vpc the object
     * @param typed the value as the user gave it, for an error
     */
    static VpcAttributes vpcAttributes(Map<String, Object> vpc, Object typed) {
        VpcAttributes.Builder attributes = VpcAttributes.builder();
        for (Map.Entry<String, Object> entry : vpc.entrySet()) {
            Object value = entry.getValue();
            switch (entry.getKey()) {
                case "vpcId" -> attributes.vpcId(text(entry, typed));
                case "vpcCidrBlock" -> attributes.vpcCidrBlock(text(entry, typed));
                case "availabilityZones" -> attributes.availabilityZones(texts(entry, typed));
                case "publicSubnetIds" -> attributes.publicSubnetIds(texts(entry, typed));
                case "publicSubnetRouteTableIds" -> attributes.publicSubnetRouteTableIds(texts(entry, typed));
                case "privateSubnetIds" -> attributes.privateSubnetIds(texts(entry, typed));
                case "privateSubnetRouteTableIds" -> attributes.privateSubnetRouteTableIds(texts(entry, typed));
                case "isolatedSubnetIds" -> attributes.isolatedSubnetIds(texts(entry, typed));
                case "isolatedSubnetRouteTableIds" -> attributes.isolatedSubnetRouteTableIds(texts(entry, typed));
                default -> throw invalid("vpc", typed, "attributes out of " + VPC_ATTRIBUTES + ", not '"
                        + entry.getKey() + "'");
            }
        }
        for (String required : List.of("vpcId", "vpcCidrBlock", "availabilityZones")) {
            if (!vpc.containsKey(required)) {
                throw invalid("vpc", typed, "'" + required + "' among the attributes (all of " + VPC_ATTRIBUTES + ")");
            }
        }
        return attributes.build();
    }

    private static String text(Map.Entry<String, Object> entry, Object typed) {
        if (entry.getValue() instanceof String value) {
            return value;
        }
        throw invalid("vpc", typed, "a string for '" + entry.getKey() + "'");
    }

    private static List<String> texts(Map.Entry<String, Object> entry, Object typed) {
        if (entry.getValue() instanceof List<?> items && items.stream().allMatch(String.class::isInstance)) {
            return items.stream().map(String.class::cast).toList();
        }
        throw invalid("vpc", typed, "a list of strings for '" + entry.getKey() + "'");
    }

    /** The value, with a string that holds a JSON object or array parsed. */
    private Object parsed(String key, String accepted) {
        Object value = context.get(key);
        if (value instanceof String text && (text.trim().startsWith("{") || text.trim().startsWith("["))) {
            try {
                return JSON.readValue(text, Object.class);
            } catch (JsonProcessingException e) {
                throw invalid(key, value, accepted + " (" + e.getOriginalMessage() + ")");
            }
        }
        return value;
    }

    /**
     * @param key the context key
     * @param typed the value as the user gave it: the text of {@code -c}, echoed as typed, or a JSON value of
     *     cdk.json, echoed as JSON (never as a Java map or list)
     * @param accepted what would be accepted
     * @return the error
     */
    static IllegalArgumentException invalid(String key, Object typed, String accepted) {
        return new IllegalArgumentException("Context '" + key + "' is '" + asTyped(typed) + "': expected " + accepted);
    }

    private static String asTyped(Object typed) {
        if (typed instanceof String text) {
            return text;
        }
        try {
            return JSON.writeValueAsString(typed);
        } catch (JsonProcessingException e) {
            return String.valueOf(typed);
        }
    }
}
