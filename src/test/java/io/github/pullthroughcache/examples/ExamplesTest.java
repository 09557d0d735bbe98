package io.github.pullthroughcache.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Snapshots;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * Every example stack, synthesized once as {@code cdk synth} would (cdk.json's context, no environment):
 * compared with its snapshot in {@code test-snapshots/}, checked against the CloudFormation registry
 * schemas and by cdk-nag's AwsSolutions and NIST 800-53 R5 packs.
 *
 * <p>{@code mvn verify -Dsnapshot.update=true} rewrites the snapshots; read the diff before committing.
 */
class ExamplesTest {

    private static final Path SNAPSHOTS = TestApps.projectRoot().resolve("test-snapshots");
    private static final boolean UPDATE = Boolean.getBoolean("snapshot.update");

    private static List<Stack> stacks;
    private static Synth synth;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        stacks = ExamplesApp.build(app, null);
        // cdk-nag 3 reports through aws-cdk-lib's validation: any unacknowledged finding fails Synth.of
        synth = Synth.of(TestApps.withNagPacks(app));
        if (UPDATE) {
            writeSnapshots();
        }
    }

    private static void writeSnapshots() {
        try {
            Files.createDirectories(SNAPSHOTS);
            for (Stack stack : stacks) {
                Files.writeString(SNAPSHOTS.resolve(stack.getStackName() + ".template.json"),
                        Snapshots.normalize(synth.json(stack.getStackName())), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<String> stackNames() {
        return stacks.stream().map(Stack::getStackName);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stackNames")
    void matchesItsSnapshot(String stackName) throws IOException {
        String actual = Snapshots.normalize(synth.json(stackName));
        Path file = SNAPSHOTS.resolve(stackName + ".template.json");
        assertThat(file).as("snapshot %s; run mvn verify -Dsnapshot.update=true to create it", file).exists();
        assertThat(actual).as("snapshot %s differs; if the change is meant, rerun with -Dsnapshot.update=true and "
                + "read the diff", file).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }

    @Test
    void everyExampleStackHasASnapshotAndEverySnapshotAnExampleStack() throws IOException {
        try (Stream<Path> files = Files.list(SNAPSHOTS)) {
            assertThat(files.map(f -> f.getFileName().toString().replace(".template.json", "")))
                    .containsExactlyInAnyOrderElementsOf(stackNames().toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stackNames")
    void matchesTheCloudFormationRegistrySchemas(String stackName) {
        assertThat(CfnSchemas.violations(synth.json(stackName))).isEmpty();
    }

    @Test
    void theWarmedCacheHasEndpointsAndAWarmerButNoNatGateway() {
        var template = synth.template("PullThroughCacheWarmed");
        template.resourceCountIs("AWS::EC2::NatGateway", 0);
        template.resourceCountIs("AWS::EC2::VPCEndpoint", 3);
        template.resourceCountIs("Custom::EcrCacheWarmer", 1);
        template.resourceCountIs("AWS::Scheduler::Schedule", 1);
    }

    @Test
    void theEcsServiceStartsThroughItsTaskDefinitionOnlyAfterTheWarmerRunAndTheEndpointsWithNoNatGateway() {
        JsonNode template = synth.json("PullThroughCacheEcsService");
        List<String> warmers = TemplateJson.logicalIds(template, "Custom::EcrCacheWarmer");
        List<String> endpoints = TemplateJson.logicalIds(template, "AWS::EC2::VPCEndpoint");
        assertThat(TemplateJson.logicalIds(template, "AWS::EC2::NatGateway")).isEmpty();
        List<String> services = TemplateJson.logicalIds(template, "AWS::ECS::Service");
        assertThat(services).hasSize(1);
        String taskDefinition = template.path("Resources").path(services.get(0)).path("Properties")
                .path("TaskDefinition").path("Ref").asText();
        List<String> dependsOn = TemplateJson.dependsOn(template, taskDefinition);

        assertThat(warmers).hasSize(1);
        assertThat(endpoints).isNotEmpty();
        assertThat(dependsOn).containsAll(warmers).containsAll(endpoints);
        assertThat(template.path("Resources").path(warmers.get(0)).path("Properties").path("Images").toString())
                .contains("public.ecr.aws/nginx/nginx:1.27");
    }

    @Test
    void theCopiedExampleCopiesFromMcrIntoACreateOnPushTemplateAndItsServiceWaitsForTheCopyWithNoNatGateway() {
        JsonNode template = synth.json("PullThroughCacheCopied");
        assertThat(TemplateJson.logicalIds(template, "AWS::EC2::NatGateway")).isEmpty();
        synth.template("PullThroughCacheCopied").resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        synth.template("PullThroughCacheCopied").hasResourceProperties("AWS::ECR::RepositoryCreationTemplate",
                Map.of("Prefix", "mcr", "AppliedFor", List.of("CREATE_ON_PUSH")));
        List<String> copiers = TemplateJson.logicalIds(template, "Custom::EcrImageCopier");
        assertThat(copiers).hasSize(1);
        JsonNode images = template.path("Resources").path(copiers.get(0)).path("Properties").path("Images");
        assertThat(images.findValuesAsText("image")).containsExactly("mcr.microsoft.com/dotnet/samples:aspnetapp",
                "mcr.microsoft.com/dotnet/runtime-deps:8.0");
        assertThat(images.findValuesAsText("repository")).containsExactly("mcr/dotnet/samples", "mcr/dotnet/runtime-deps");
        String service = TemplateJson.logicalIds(template, "AWS::ECS::Service").get(0);
        String taskDefinition = template.path("Resources").path(service).path("Properties").path("TaskDefinition")
                .path("Ref").asText();
        assertThat(TemplateJson.dependsOn(template, taskDefinition)).containsAll(copiers);
        JsonNode task = template.path("Resources").path(taskDefinition).path("Properties");
        assertThat(task.path("ContainerDefinitions").get(0).path("Image").toString()).contains("/mcr/dotnet/samples:aspnetapp");
    }

    @Test
    void theReplicationPairPreparesTheDestinationBeforeTheSource() {
        Stack source = stacks.stream().filter(s -> s.getStackName().equals("PullThroughCacheReplicationSource"))
                .findFirst().orElseThrow();
        assertThat(source.getDependencies()).extracting(Stack::getStackName)
                .containsExactly("PullThroughCacheReplicationDestination");
        synth.template("PullThroughCacheReplicationSource").resourceCountIs("Custom::EcrReplicationRules", 1);
        synth.template("PullThroughCacheReplicationDestination").resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 2);
    }

    @Test
    void theOrganizationsConsumerPullsFromTheCentralRegistryThatLetsTheOrganizationIn() {
        var consumer = synth.template("PullThroughCacheOrgConsumer");
        consumer.resourceCountIs("AWS::ECR::PullThroughCacheRule", 0);
        consumer.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
        consumer.resourceCountIs("AWS::EC2::NatGateway", 0);
        assertThat(synth.json("PullThroughCacheOrgConsumer").toString())
                .contains("arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/*")
                .contains("111111111111.dkr.ecr.eu-west-1.");
        var statements = synth.registryPolicyStatements("PullThroughCacheOrgCentral");
        assertThat(statements).hasSize(3);
        statements.forEach(statement -> assertThat(statement.path("Condition").toString())
                .isEqualTo("{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}"));
    }

    @Test
    void noExampleLooksUpContextSoCdkSynthNeedsNoCredentials() {
        assertThat(synth.missingContext()).isEmpty();
    }

    @Test
    void cdkNagPacksFailSynthesisOnAnUnacknowledgedFinding() {
        // the canary for the setup above: Synth.of passed for the examples, and fails for a plain secret
        App app = TestApps.newApp();
        new Secret(new Stack(app, "Canary"), "Unrotated");

        // the findings this test expects go to a buffer, not to the build's console as ERROR lines
        String printed = TestApps.capturingStandardError(() ->
                assertThatThrownBy(() -> Synth.of(TestApps.withNagPacks(app))).hasMessageContaining("Validation failed"));
        assertThat(printed).contains("AwsSolutions-SMG4", "NIST.800.53.R5-SecretsManagerRotationEnabled");
    }
}
