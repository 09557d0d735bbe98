package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/**
 * One synthesis of an app, read once: each stack's template as JSON (no jsii round trip) and as an
 * assertions {@link Template}, and the CloudFormation validation report.
 */
public final class Synth {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CloudAssembly assembly;
    private final Map<String, JsonNode> templates = new LinkedHashMap<>();
    private final Map<String, Template> assertions = new LinkedHashMap<>();

    private Synth(CloudAssembly assembly) {
        this.assembly = assembly;
        try {
            for (CloudFormationStackArtifact stack : assembly.getStacksRecursively()) {
                templates.put(stack.getStackName(), JSON.readTree(Path.of(stack.getTemplateFullPath()).toFile()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Synthesizes the app once. With cdk.json's context, a CloudFormation validation finding fails here.
     *
     * @param app an app from {@link TestApps#newApp()}
     * @return the result
     */
    public static Synth of(App app) {
        Synth synth = new Synth(app.synth());
        // the flag fails synthesis on errors only; a warning (such as a value outside a schema enum) counts too.
        // Construct annotations are reported there as well: the tests assert those with Annotations instead.
        JsonNode findings = null;
        for (JsonNode plugin : synth.validationReport().path("pluginReports")) {
            if (!plugin.path("pluginName").asText().equals("Construct Annotations") && !plugin.path("violations").isEmpty()) {
                findings = plugin.path("violations");
                break;
            }
        }
        if (findings != null) {
            throw new AssertionError("CloudFormation validation findings: " + findings.toPrettyString());
        }
        return synth;
    }

    /** @return what the app would have looked up (AZs, VPCs...) with credentials: nothing, for a synth offline */
    public java.util.List<?> missingContext() {
        java.util.List<?> missing = assembly.getManifest().getMissing();
        return missing == null ? java.util.List.of() : missing;
    }

    /** @return stack name to template JSON, in synthesis order */
    public Map<String, JsonNode> templates() {
        return templates;
    }

    /**
     * @param stackName the stack's name
     * @return its template as JSON
     */
    public JsonNode json(String stackName) {
        JsonNode template = templates.get(stackName);
        if (template == null) {
            throw new IllegalArgumentException("No stack " + stackName + " in " + templates.keySet());
        }
        return template;
    }

    /**
     * @param stackName the stack's name
     * @return its template for {@code hasResourceProperties} and friends
     */
    @SuppressWarnings("unchecked")
    public Template template(String stackName) {
        return assertions.computeIfAbsent(stackName,
                name -> Template.fromJSON(JSON.convertValue(json(name), Map.class)));
    }

    /**
     * The statements a MERGE registry policy's custom resource writes, with the intrinsics inside the JSON string
     * rendered as text (such as {@code {'Ref':'AWS::AccountId'}}).
     *
     * @param stackName the stack's name
     * @return the statements
     */
    public JsonNode registryPolicyStatements(String stackName) {
        return customResourceJson(stackName, "Custom::EcrRegistryPolicyStatements", "Statements");
    }

    /**
     * A JSON property of the one custom resource of a type, parsed: a plain string, or an {@code Fn::Join} whose
     * intrinsics are rendered as text (such as {@code {'Ref':'AWS::AccountId'}}).
     *
     * @param stackName the stack's name
     * @param type the custom resource type
     * @param property the property holding JSON text
     * @return the parsed JSON
     */
    public JsonNode customResourceJson(String stackName, String type, String property) {
        for (JsonNode resource : json(stackName).path("Resources")) {
            if (resource.path("Type").asText().equals(type)) {
                JsonNode value = resource.path("Properties").path(property);
                StringBuilder text = new StringBuilder();
                if (value.isTextual()) {
                    text.append(value.asText());
                } else {
                    value.path("Fn::Join").path(1).forEach(part ->
                            text.append(part.isTextual() ? part.asText() : part.toString().replace("\"", "'")));
                }
                try {
                    return JSON.readTree(text.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new AssertionError("No " + type + " in stack " + stackName);
    }

    /** @return the validation report aws-cdk-lib wrote into the cloud assembly */
    public JsonNode validationReport() {
        try {
            return JSON.readTree(Path.of(assembly.getDirectory(), "validation-report.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
