package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmerOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.CopiedRegistry;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * Registries the pull through cache cannot serve, copied in: no rule, a CREATE_ON_PUSH creation template with the
 * cache's settings, routing like a rule's, a copier outside the VPC that the containers wait for, least privilege and
 * cdk-nag clean; and the errors of bad input. Checked on one synthesized template, and on stacks of their own for
 * the errors.
 */
class CopiedRegistryTest {

    private static final String DOTNET = "mcr.microsoft.com/dotnet/runtime:8.0";
    private static final String ASPNET = "mcr.microsoft.com/dotnet/aspnet@sha256:" + "a".repeat(64);
    private static final String CUDA = "nvcr.io/nvidia/cuda:12.6.0-base-ubuntu22.04";
    private static final String NGINX = "public.ecr.aws/nginx/nginx:1.27";

    private static Synth synth;
    private static Template template;
    private static JsonNode json;
    private static PullThroughCache cache;
    private static String cudaUri;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Copied", StackProps.builder().env(TestApps.ENV).build());
        UpstreamCredentialSecret nvcr = new UpstreamCredentialSecret(stack, "NvcrCredential",
                UpstreamCredentialSecretProps.builder().secretName("nvcr").username("$oauthtoken").build());
        cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.copied("mcr.microsoft.com"),
                        UpstreamRegistry.copied("nvcr.io", nvcr.getSecret())))
                .creationTemplate(CreationTemplateOptions.builder()
                        .encryption(TemplateEncryption.KMS_NEW_KEY)
                        .resourceTags(Map.of("team", "platform"))
                        .build())
                .warmerOptions(CacheWarmerOptions.builder().schedule(ScheduleExpression.rate(Duration.days(1))).build())
                .build());
        for (Map.Entry<String, String> task : Map.of("Task", DOTNET, "Nginx", NGINX).entrySet()) {
            FargateTaskDefinition definition = new FargateTaskDefinition(stack, task.getKey());
            definition.addContainer("Web", ContainerDefinitionOptions.builder()
                    .image(cache.containerImage(task.getValue())).build());
            // the test's own task definitions, there to bind the images: not what is under test
            NagAcknowledgements.acknowledge(definition, "AwsSolutions-ECS7", "A test task that never runs.");
            NagAcknowledgements.acknowledge(definition, "NIST.800.53.R5-IAMNoInlinePolicy", "The execution role's "
                    + "grants are what the test reads.");
        }
        cudaUri = cache.imageUri(CUDA);
        cache.warm(ASPNET);
        synth = Synth.of(TestApps.withNagPacks(app));
        template = synth.template("Copied");
        json = synth.json("Copied");
    }

    private static JsonNode only(String type) {
        List<String> ids = TemplateJson.logicalIds(json, type);
        assertThat(ids).as(type).hasSize(1);
        return json.path("Resources").path(ids.get(0));
    }

    private static List<JsonNode> copiedImages() {
        List<JsonNode> images = new ArrayList<>();
        only("Custom::EcrImageCopier").path("Properties").path("Images").forEach(images::add);
        return images;
    }

    private static String repositories(String prefix) {
        return "arn:aws:ecr:eu-west-1:111111111111:repository/" + prefix + "/*";
    }

    @Test
    void aCopiedRegistryHasNoRuleButACreateOnPushTemplateWithTheCachesSettings() {
        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of("EcrRepositoryPrefix", "ecr-public"));
        for (String prefix : List.of("mcr", "nvcr")) {
            template.hasResourceProperties("AWS::ECR::RepositoryCreationTemplate", Map.of(
                    "Prefix", prefix,
                    "AppliedFor", List.of("CREATE_ON_PUSH"),
                    "EncryptionConfiguration", Map.of("EncryptionType", "KMS", "KmsKey", Match.anyValue()),
                    "ImageTagMutability", "MUTABLE",
                    "LifecyclePolicy", Match.stringLikeRegexp(".*untagged.*"),
                    "ResourceTags", List.of(Map.of("Key", "team", "Value", "platform"))));
        }
        template.resourceCountIs("AWS::KMS::Key", 1);
    }

    @Test
    void imagesOfACopiedRegistryRouteToItsPrefixAsARulesWould() {
        assertThat(cudaUri).endsWith("/nvcr/nvidia/cuda:12.6.0-base-ubuntu22.04").contains(".dkr.ecr.");
        assertThat(cache.getCopiedRegistries()).extracting(CopiedRegistry::getRepositoryPrefix).containsExactly("mcr", "nvcr");
        assertThat(cache.getCopiedRegistries()).extracting(registry -> registry.getUpstream().getImageHost())
                .containsExactly("mcr.microsoft.com", "nvcr.io");
        IPullThroughCache asInterface = cache;
        assertThat(asInterface.getCopiedRegistries()).extracting(IPullThroughCacheRule::getRegistryHost)
                .containsOnly(cache.getRegistryHost());
        String task = TemplateJson.logicalIds(json, "AWS::ECS::TaskDefinition").stream()
                .filter(id -> id.startsWith("Task")).findFirst().orElseThrow();
        assertThat(json.path("Resources").path(task).path("Properties").path("ContainerDefinitions").get(0)
                .path("Image").toString()).contains("/mcr/dotnet/runtime:8.0", "111111111111.dkr.ecr.eu-west-1.");
    }

    @Test
    void theCopierListsTheCopiedImagesWithTheirUpstreamAndTargetAndTheWarmerNone() {
        List<String> copied = copiedImages().stream().map(image -> image.path("image").asText()).toList();
        assertThat(copied).containsExactly(DOTNET, CUDA, ASPNET);
        JsonNode dotnet = copiedImages().get(0);
        assertThat(dotnet.path("upstream").asText()).isEqualTo("https://mcr.microsoft.com");
        assertThat(dotnet.path("sourceRepository").asText()).isEqualTo("dotnet/runtime");
        assertThat(dotnet.path("reference").asText()).isEqualTo("8.0");
        assertThat(dotnet.path("repository").asText()).isEqualTo("mcr/dotnet/runtime");
        assertThat(dotnet.has("credential")).isFalse();
        assertThat(copiedImages().get(1).path("credential").toString()).contains("Ref", "NvcrCredential");
        assertThat(copiedImages().get(2).path("reference").asText()).isEqualTo("sha256:" + "a".repeat(64));
        List<String> warmed = new ArrayList<>();
        only("Custom::EcrCacheWarmer").path("Properties").path("Images").forEach(image -> warmed.add(image.path("image").asText()));
        assertThat(warmed).containsExactly(NGINX);
    }

    @Test
    void theCopierRunsOutsideTheVpcOnTheWarmersScheduleAndTheContainerWaitsForIt() {
        JsonNode function = json.path("Resources").path(TemplateJson.logicalIds(json, "AWS::Lambda::Function").stream()
                .filter(id -> json.path("Resources").path(id).path("Properties").path("Handler").asText()
                        .equals("image-copier/index.handler")).findFirst().orElseThrow());
        assertThat(function.path("Properties").path("VpcConfig").isMissingNode()).isTrue();
        assertThat(function.path("Properties").path("MemorySize").asInt()).isEqualTo(2048);
        assertThat(function.path("Properties").path("Runtime").asText()).isEqualTo("nodejs22.x");
        template.hasResourceProperties("AWS::Scheduler::Schedule", Map.of("Description",
                Match.stringLikeRegexp("Copies images into the registry: Copied/Cache/Copier")));
        String copier = TemplateJson.logicalIds(json, "Custom::EcrImageCopier").get(0);
        List<String> taskIds = TemplateJson.logicalIds(json, "AWS::ECS::TaskDefinition");
        String dotnetTask = taskIds.stream().filter(id -> id.startsWith("Task")).findFirst().orElseThrow();
        String nginxTask = taskIds.stream().filter(id -> id.startsWith("Nginx")).findFirst().orElseThrow();
        assertThat(TemplateJson.dependsOn(json, dotnetTask)).contains(copier);
        assertThat(TemplateJson.dependsOn(json, nginxTask)).doesNotContain(copier);
        // the copier's run waits for the templates that make its repositories
        List<String> templates = TemplateJson.logicalIds(json, "AWS::ECR::RepositoryCreationTemplate").stream()
                .filter(id -> id.startsWith("CacheCopied")).toList();
        assertThat(templates).hasSize(2);
        assertThat(TemplateJson.dependsOn(json, copier)).containsAll(templates);
    }

    @Test
    void theCopierMayPushUnderTheCopiedPrefixesAndReadItsOwnSecretOnly() {
        JsonNode policy = json.path("Resources").path(TemplateJson.logicalIds(json, "AWS::IAM::ManagedPolicy").stream()
                .filter(id -> id.startsWith("CacheCopierHandlerPolicy")).findFirst().orElseThrow())
                .path("Properties").path("PolicyDocument").path("Statement");
        Map<String, JsonNode> bySid = new java.util.LinkedHashMap<>();
        policy.forEach(statement -> bySid.put(statement.path("Sid").asText(), statement));
        assertThat(bySid.keySet()).containsExactly("RegistryToken", "Logs", "CopyInto", "TagOnCreate", "ReadCredentialNvcr");
        // the push goes through ECR's registry API with a token: exactly what docker push needs
        assertThat(bySid.get("RegistryToken").toString()).isEqualTo("{\"Action\":\"ecr:GetAuthorizationToken\","
                + "\"Effect\":\"Allow\",\"Resource\":\"*\",\"Sid\":\"RegistryToken\"}");
        assertThat(bySid.get("CopyInto").path("Action").toString()).isEqualTo("[\"ecr:BatchCheckLayerAvailability\","
                + "\"ecr:CompleteLayerUpload\",\"ecr:CreateRepository\",\"ecr:InitiateLayerUpload\",\"ecr:PutImage\","
                + "\"ecr:UploadLayerPart\"]");
        assertThat(bySid.get("CopyInto").path("Resource").toString()).contains(repositories("mcr"), repositories("nvcr"))
                .doesNotContain("ecr-public");
        assertThat(bySid.get("TagOnCreate").path("Condition").toString()).contains("aws:TagKeys", "team");
        assertThat(bySid.get("ReadCredentialNvcr").path("Action").asText()).isEqualTo("secretsmanager:GetSecretValue");
        assertThat(bySid.get("ReadCredentialNvcr").path("Resource").toString()).contains("NvcrCredential");
        assertThat(policy.toString()).doesNotContain("BatchImportUpstreamImage", "BatchGetImage", "GetDownloadUrlForLayer",
                "ssm:", "lambda:InvokeFunction");
        policy.forEach(statement -> assertThat(statement.path("Resource").toString().equals("\"*\""))
                .as("only the token is on *: %s", statement).isEqualTo(statement.path("Sid").asText().equals("RegistryToken")));
    }

    @Test
    void theExecutionRoleMayPullTheCopiesButNotCreateOrImportThem() {
        JsonNode roles = json.path("Resources");
        StringBuilder executionPolicies = new StringBuilder();
        for (String id : TemplateJson.logicalIds(json, "AWS::IAM::Policy")) {
            if (id.startsWith("TaskExecutionRole")) {
                executionPolicies.append(roles.path(id).path("Properties").path("PolicyDocument").toString());
            }
        }
        assertThat(executionPolicies.toString()).contains("repository/mcr/*", "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken");
        JsonNode statements = roles.path(TemplateJson.logicalIds(json, "AWS::IAM::Policy").stream()
                .filter(id -> id.startsWith("TaskExecutionRole")).findFirst().orElseThrow())
                .path("Properties").path("PolicyDocument").path("Statement");
        statements.forEach(statement -> {
            if (statement.path("Resource").toString().contains("repository/mcr/*")) {
                assertThat(statement.path("Action").toString()).doesNotContain("CreateRepository", "BatchImportUpstreamImage");
            }
        });
    }

    @Test
    void theTemplateIsValidAgainstTheRegistrySchemas() {
        assertThat(CfnSchemas.violations(json)).isEmpty();
    }

    @Test
    void aSharedCacheLetsTheConsumersPullTheCopiesThroughTheRepositoryPolicyOnly() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Shared", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache shared = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.copied("mcr.microsoft.com")))
                .sharedWith(io.github.pullthroughcache.registry.CacheConsumers.organization("o-a1b2c3d4e5"))
                .build());
        shared.imageUri(DOTNET);
        Synth sharedSynth = Synth.of(app);
        JsonNode resources = sharedSynth.json("Shared").path("Resources");
        String mcrTemplate = TemplateJson.logicalIds(sharedSynth.json("Shared"), "AWS::ECR::RepositoryCreationTemplate")
                .stream().filter(id -> id.startsWith("CacheCopiedMcr")).findFirst().orElseThrow();
        String policy = resources.path(mcrTemplate).path("Properties").path("RepositoryPolicy").toString();
        assertThat(policy).contains("PullByConsumers", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability", "o-a1b2c3d4e5").doesNotContain("BatchImportUpstreamImage");
        JsonNode statements = sharedSynth.registryPolicyStatements("Shared");
        assertThat(statements.toString()).contains("repository/ecr-public/*").doesNotContain("repository/mcr/*");
    }

    @Test
    void theRegistryMirrorsLeaveTheCopiedHostsOutAndSayWhy() {
        cacheWith(List.of(UpstreamRegistry.QUAY, UpstreamRegistry.copied("mcr.microsoft.com")), c -> {
            var mirrors = c.registryMirrors();
            // a node would find only the copied images, and send any other upstream with a token it refuses
            assertThat(mirrors.getHosts()).containsExactly("quay.io");
            assertThat(mirrors.getNotMirrored()).containsOnlyKeys("mcr.microsoft.com");
            assertThat(mirrors.getNotMirrored().get("mcr.microsoft.com")).contains("copied", "mcr.microsoft.com", "imageUri");
        });
    }

    @Test
    void copiedImagesAreCopiedAlsoWhenWarmingIsOff() {
        Stack stack = new Stack(TestApps.newApp(), "NoWarming");
        PullThroughCache withNat = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.copied("mcr.microsoft.com")))
                .temporaryNat(true)
                .build());
        withNat.imageUri(NGINX);
        withNat.imageUri(DOTNET);
        withNat.warm(ASPNET);
        // the copier came with the copied registry; routing creates nothing
        ((App) stack.getNode().getRoot()).synth();
        assertThat(withNat.getWarmer()).isNull();
        assertThat(withNat.getCopier().getNode().getPath()).isEqualTo("NoWarming/Cache/Copier");
        assertThat(withNat.getCopier().getImageUris()).hasSize(2);
        assertThatThrownBy(() -> withNat.warm(NGINX)).hasMessageContaining("cannot warm [" + NGINX + "]: warming is off");
    }

    static Stream<Arguments> badHosts() {
        return Stream.of(
                Arguments.of("quay.io", "'quay.io' is served by ECR's pull through cache itself: use its rule, UpstreamRegistry.QUAY"),
                Arguments.of("docker.io", "use its rule, UpstreamRegistry.dockerHub(ISecret)"),
                Arguments.of("myregistry.azurecr.io", "use its rule, UpstreamRegistry.azureContainerRegistry(String, ISecret)"),
                Arguments.of("https://mcr.microsoft.com", "registryHost 'https://mcr.microsoft.com' is invalid: expected a "
                        + "lowercase host name with at least one dot and an optional port, with no scheme or path"),
                Arguments.of("mcr.microsoft.com/dotnet", "registryHost 'mcr.microsoft.com/dotnet' is invalid"),
                Arguments.of("localhost", "registryHost 'localhost' is invalid"),
                Arguments.of("", "registryHost is empty"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("badHosts")
    void aHostThatIsMalformedOrServedByARuleIsRefusedSayingWhatToDo(String host, String message) {
        assertThatThrownBy(() -> UpstreamRegistry.copied(host))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void aTokenHostIsRefused() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "TokenHost");
        String host = Token.asString(Map.of("Ref", "Host"));
        assertThatThrownBy(() -> UpstreamRegistry.copied(host)).hasMessageContaining("registryHost is a token: give "
                + "the host as a literal, such as 'mcr.microsoft.com'");
        assertThat(stack).isNotNull();
    }

    @Test
    void theDefaultPrefixIsTheHostsFirstLabel() {
        assertThat(UpstreamRegistry.copied("mcr.microsoft.com").getDefaultRepositoryPrefix()).isEqualTo("mcr");
        assertThat(UpstreamRegistry.copied("gcr.io").getDefaultRepositoryPrefix()).isEqualTo("gcr");
        assertThat(UpstreamRegistry.copied("harbor.example.com:8443").getDefaultRepositoryPrefix()).isEqualTo("harbor");
        assertThat(UpstreamRegistry.copied("nvcr.io").isCopied()).isTrue();
        assertThat(UpstreamRegistry.QUAY.isCopied()).isFalse();
    }

    @Test
    void aSecretWhoseNameDoesNotSayWhatItIsForIsRefused() {
        Stack stack = new Stack(TestApps.newApp(), "Secrets");
        Secret secret = Secret.Builder.create(stack, "Token").secretName("nvcr-token").build();
        assertThatThrownBy(() -> UpstreamRegistry.copied("nvcr.io", secret))
                .hasMessage("UpstreamRegistry.copied: credential secret name 'nvcr-token' must start with "
                        + "'ecr-pullthroughcache/' (as every upstream credential of the cache: the name says what the "
                        + "secret is for), such as 'ecr-pullthroughcache/nvcr'");
    }

    private static void cacheWith(List<UpstreamRegistry> upstreams, Consumer<PullThroughCache> more) {
        Stack stack = new Stack(TestApps.newApp(), "Clash");
        PullThroughCache made = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(upstreams).build());
        more.accept(made);
    }

    @Test
    void aPrefixClashWithARuleIsRefusedNamingBothAndTheWayOut() {
        assertThatThrownBy(() -> cacheWith(List.of(UpstreamRegistry.KUBERNETES, UpstreamRegistry.copied("k8s.gcr.io")), c -> { }))
                .hasMessageContaining("has rule 'k8s' (Kubernetes) already, so copied registry k8s.gcr.io cannot take "
                        + "prefix 'k8s': give it another with cache.addCopiedRegistry(UpstreamRegistry.copied(\"k8s.gcr.io\"), \"<prefix>\")");
        assertThatThrownBy(() -> cacheWith(List.of(UpstreamRegistry.copied("quayside.example.com")),
                c -> c.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY)
                        .repositoryPrefix("quayside").build())))
                .hasMessageContaining("copies quayside.example.com under prefix 'quayside' already");
        assertThatThrownBy(() -> cacheWith(List.of(UpstreamRegistry.copied("mcr.microsoft.com"),
                UpstreamRegistry.copied("mcr.microsoft.com")), c -> { }))
                .hasMessageContaining("copies mcr.microsoft.com under prefix 'mcr' already");
    }

    @Test
    void anotherPrefixIsTakenWithAddCopiedRegistry() {
        cacheWith(List.of(UpstreamRegistry.KUBERNETES), c -> {
            CopiedRegistry gcr = c.addCopiedRegistry(UpstreamRegistry.copied("k8s.gcr.io"), "k8s-gcr");
            assertThat(c.imageUri("k8s.gcr.io/pause:3.2")).endsWith("/k8s-gcr/pause:3.2");
            assertThat(gcr.getCreationTemplate().getPrefix()).isEqualTo("k8s-gcr");
            ((App) c.getNode().getRoot()).synth();
            assertThat(c.getCopier().getImageUris()).hasSize(1);
        });
    }

    @Test
    void aTokenImageOrAnUnservedHostIsRefusedNamingTheCopiedRegistriesToo() {
        assertThatThrownBy(() -> cacheWith(List.of(UpstreamRegistry.copied("mcr.microsoft.com")),
                c -> c.imageUri(Token.asString(Map.of("Ref", "Image")))))
                .hasMessageContaining("needs a literal image reference such as 'nginx:1.27'")
                .hasMessageContaining("a token cannot be routed to its registry at synth");
        assertThatThrownBy(() -> cacheWith(List.of(UpstreamRegistry.copied("mcr.microsoft.com")),
                c -> c.imageUri("gcr.io/distroless/static:nonroot")))
                .hasMessageContaining("Its rules: [mcr (mcr.microsoft.com)]")
                .hasMessageContaining("UpstreamRegistry.copied(\"<host>\") for one the pull through cache cannot serve");
    }

    @Test
    void aRuleCannotBeMadeForACopiedRegistry() {
        Stack stack = new Stack(TestApps.newApp(), "Rule");
        assertThatThrownBy(() -> new PullThroughCacheRule(stack, "Mcr", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.copied("mcr.microsoft.com")).build()))
                .hasMessageContaining("mcr.microsoft.com (copied), which ECR's pull through cache cannot serve: give it "
                        + "to PullThroughCacheProps.upstreams");
    }
}
