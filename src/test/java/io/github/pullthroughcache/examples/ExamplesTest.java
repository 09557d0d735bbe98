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
 * <p>{@code mvn -B test -Dtest=ExamplesTest -Dsnapshot.update=true} rewrites the snapshots; read the diff before
 * committing.
 */
class ExamplesTest {

    private static final Path SNAPSHOTS = TestApps.projectRoot().resolve("test-snapshots");
    private static final boolean UPDATE = Boolean.getBoolean("snapshot.update");

    private static List<Stack> stacks;
    private static Synth synth;

    @BeforeAll
    static void synthesize() {
        stacks = ExamplesSynthesis.stacks();
        synth = ExamplesSynthesis.synth();
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
        assertThat(file).as("snapshot %s; run mvn -B test -Dtest=ExamplesTest -Dsnapshot.update=true to create it", file).exists();
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
    void theEksClusterIsPrivateWithItsNodesPullingThroughTheMirrorsAfterTheWarmerAndTheEndpoints() {
        JsonNode template = synth.json("PullThroughCacheEks");
        JsonNode resources = template.path("Resources");
        assertThat(TemplateJson.logicalIds(template, "AWS::EC2::NatGateway")).isEmpty();
        JsonNode cluster = resources.path(TemplateJson.logicalIds(template, "AWS::EKS::Cluster").get(0)).path("Properties");
        assertThat(cluster.path("ResourcesVpcConfig").path("EndpointPublicAccess").asBoolean(true)).isFalse();
        assertThat(cluster.path("ResourcesVpcConfig").path("EndpointPrivateAccess").asBoolean()).isTrue();
        assertThat(TemplateJson.logicalIds(template, "AWS::EC2::VPCEndpoint").stream()
                .map(id -> resources.path(id).path("Properties").path("ServiceName").toString()))
                .anyMatch(name -> name.contains("\".ec2\"")).anyMatch(name -> name.contains("\".sts\""))
                .anyMatch(name -> name.contains("\".eks\"")).anyMatch(name -> name.contains("\".eks-auth\""))
                .anyMatch(name -> name.contains("\".ecr.dkr\"")).anyMatch(name -> name.contains("\".s3\""));

        List<String> nodegroups = TemplateJson.logicalIds(template, "AWS::EKS::Nodegroup");
        assertThat(nodegroups).hasSize(2);
        List<String> warmers = TemplateJson.logicalIds(template, "Custom::EcrCacheWarmer");
        for (String nodegroup : nodegroups) {
            assertThat(TemplateJson.dependsOn(template, nodegroup)).containsAll(warmers)
                    .containsAll(TemplateJson.logicalIds(template, "AWS::EC2::VPCEndpoint"));
            String launchTemplate = resources.path(nodegroup).path("Properties").path("LaunchTemplate").path("Id")
                    .path("Ref").asText();
            String userData = resources.path(launchTemplate).path("Properties").path("LaunchTemplateData")
                    .path("UserData").toString();
            String amiType = resources.path(nodegroup).path("Properties").path("AmiType").asText();
            if (amiType.startsWith("AL2023")) {
                assertThat(userData).contains("application/node.eks.aws", "use_local_image_pull = true",
                        "/etc/containerd/certs.d/docker.io/hosts.toml", "/v2/docker-hub");
            } else {
                assertThat(amiType).startsWith("BOTTLEROCKET");
                assertThat(userData).contains("[[settings.container-registry.mirrors]]",
                        "registry = \\\"docker.io\\\"", "/v2/docker-hub", "AWS_REGION");
            }
        }
        assertThat(resources.path(warmers.get(0)).path("Properties").path("Images").toString())
                .contains("nginx:1.27", "quay.io/prometheus/node-exporter", "registry.k8s.io/pause");
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
        // the service starts once the consumer's endpoints exist and its warmer has cached the image
        JsonNode json = synth.json("PullThroughCacheOrgConsumer");
        String task = TemplateJson.logicalIds(json, "AWS::ECS::TaskDefinition").get(0);
        assertThat(json.path("Resources").path(TemplateJson.logicalIds(json, "AWS::ECS::Service").get(0))
                .path("Properties").path("TaskDefinition").path("Ref").asText()).isEqualTo(task);
        assertThat(TemplateJson.dependsOn(json, task))
                .containsAll(TemplateJson.logicalIds(json, "AWS::EC2::VPCEndpoint"))
                .containsAll(TemplateJson.logicalIds(json, "Custom::EcrCacheWarmer"))
                .hasSize(TemplateJson.logicalIds(json, "AWS::EC2::VPCEndpoint").size() + 2);
        consumer.hasResourceProperties("Custom::EcrCacheWarmer", java.util.Map.of("Images", java.util.List.of(
                software.amazon.awscdk.assertions.Match.objectLike(java.util.Map.of(
                        "image", "public.ecr.aws/nginx/nginx:1.27", "repository", "ecr-public/nginx/nginx")))));
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
