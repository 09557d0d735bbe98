package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** What the ordering tests read off a synthesized template's JSON: logical ids by type, and a resource's DependsOn. */
public final class TemplateJson {

    private TemplateJson() {
    }

    /**
     * @param template a template, as {@link Synth#json} gives it
     * @param type a resource type, such as {@code AWS::ECS::TaskDefinition}
     * @return the logical ids of the resources of that type, in template order
     */
    public static List<String> logicalIds(JsonNode template, String type) {
        List<String> ids = new ArrayList<>();
        template.path("Resources").properties().forEach(entry -> {
            if (entry.getValue().path("Type").asText().equals(type)) {
                ids.add(entry.getKey());
            }
        });
        return ids;
    }

    /**
     * @param template a template
     * @param logicalId a resource's logical id
     * @return the logical ids in its DependsOn, empty without one
     */
    public static List<String> dependsOn(JsonNode template, String logicalId) {
        List<String> dependsOn = new ArrayList<>();
        template.path("Resources").path(logicalId).path("DependsOn").forEach(id -> dependsOn.add(id.asText()));
        return dependsOn;
    }
}
