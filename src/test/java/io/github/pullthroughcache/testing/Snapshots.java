package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The snapshot form of a template: CDK's version metadata dropped, asset hashes replaced, keys sorted,
 * two-space indentation and LF line ends, so that a snapshot changes only when the template does.
 */
public final class Snapshots {

    private static final Pattern ASSET_HASH = Pattern.compile("[a-f0-9]{64}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Snapshots() {
    }

    /**
     * @param template a synthesized template
     * @return its snapshot text
     */
    public static String normalize(JsonNode template) {
        ObjectNode copy = template.deepCopy();
        ((ObjectNode) copy.path("Resources")).remove("CDKMetadata");
        if (copy.path("Conditions").isObject()) {
            ObjectNode conditions = (ObjectNode) copy.get("Conditions");
            conditions.remove("CDKMetadataAvailable");
            if (conditions.isEmpty()) {
                copy.remove("Conditions");
            }
        }
        try {
            String text = JSON.writeValueAsString(sorted(copy));
            return text.replace("\r\n", "\n") + "\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            for (String name : names) {
                out.set(ASSET_HASH.matcher(name).replaceAll("<asset-hash>"), sorted(node.get(name)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> out.add(sorted(item)));
            return out;
        }
        if (node.isTextual()) {
            return TextNode.valueOf(ASSET_HASH.matcher(node.asText()).replaceAll("<asset-hash>"));
        }
        return node;
    }
}
