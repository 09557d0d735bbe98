package io.github.pullthroughcache;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.stack.PullThroughCacheStackProps;
import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.images.CacheWarmer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;

/**
 * The cache's own warmer: on by default without a temporary NAT gateway, it lists exactly the images the app routes
 * through the cache plus those given to {@code warm}, and a container of {@code containerImage} starts after its
 * deploy-time run. Checked on the synthesized template.
 */
class CacheWarmingTest {

    private static final String NGINX = "public.ecr.aws/nginx/nginx:1.27";
    private static final String PROMETHEUS = "quay.io/prometheus/prometheus:v3.0.0";

    private record Synthesized(PullThroughCache cache, JsonNode template) {
        List<String> idsOf(String type) {
            return TemplateJson.logicalIds(template, type);
        }

        JsonNode only(String type) {
            List<String> ids = idsOf(type);
            assertThat(ids).hasSize(1);
            return template.path("Resources").path(ids.get(0));
        }

        List<String> dependsOn(String type) {
            only(type);
            return TemplateJson.dependsOn(template, idsOf(type).get(0));
        }

        List<String> warmedImages() {
            List<String> images = new ArrayList<>();
            only("Custom::EcrCacheWarmer").path("Properties").path("Images").forEach(image -> images.add(image.path("image").asText()));
            return images;
        }
    }

    private interface AppShape {
        void build(Stack stack, PullThroughCache cache);
    }

    private static Synthesized synthesize(PullThroughCacheProps.Builder props, AppShape shape) {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Warming");
        PullThroughCache cache = new PullThroughCache(stack, "Cache", props
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES))
                .build());
        shape.build(stack, cache);
        return new Synthesized(cache, Synth.of(app).json("Warming"));
    }

    private static void containerOf(Stack stack, PullThroughCache cache, String image) {
        new FargateTaskDefinition(stack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage(image)).build());
    }

    @Test
    void withoutANatGatewayTheWarmerListsExactlyTheImagesInUseThenThoseAddedOnceEach() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder(), (stack, cache) -> {
            containerOf(stack, cache, NGINX);
            cache.imageUri(PROMETHEUS);
            cache.imageUri(NGINX);
            cache.warm("registry.k8s.io/pause:3.10", PROMETHEUS);
        });
        assertThat(synthesized.warmedImages()).containsExactly(NGINX, PROMETHEUS, "registry.k8s.io/pause:3.10");
        assertThat(synthesized.cache().getImagesInUse()).containsExactly(NGINX, PROMETHEUS, "registry.k8s.io/pause:3.10");
        assertThat(synthesized.cache().getWarmer().getNode().getPath()).isEqualTo("Warming/Cache/Warmer");
    }

    @Test
    void theWarmerIsMadeWithTheCacheRoutingCreatesNothingAndTheAppsAspectsReachIt() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Lazy");
        Tags.of(app).add("team", "platform");
        PullThroughCache cache = new PullThroughCache(stack, "Cache");
        FargateTaskDefinition task = new FargateTaskDefinition(stack, "Task");
        task.addContainer("Web", ContainerDefinitionOptions.builder().image(cache.containerImage(NGINX)).build());
        String uri = cache.imageUri("public.ecr.aws/docker/library/redis:7.4");
        int constructs = app.getNode().findAll().size();
        cache.imageUri(NGINX);
        cache.warm("public.ecr.aws/docker/library/redis:7.4");

        assertThat(uri).endsWith("/ecr-public/docker/library/redis:7.4");
        assertThat(app.getNode().findAll()).hasSize(constructs);

        JsonNode template = Synth.of(app).json("Lazy");
        CacheWarmer warmer = cache.getWarmer();
        assertThat(warmer.getNode().getPath()).isEqualTo("Lazy/Cache/Warmer");
        assertThat(warmer.getImageUris()).hasSize(2);
        String run = stack.getLogicalId((CfnElement) warmer.getResource().getNode().getDefaultChild());
        String taskId = TemplateJson.logicalIds(template, "AWS::ECS::TaskDefinition").get(0);
        assertThat(TemplateJson.dependsOn(template, taskId)).contains(run);
        String function = stack.getLogicalId((CfnElement) warmer.getFunction().getNode().getDefaultChild());
        assertThat(template.path("Resources").path(function).path("Properties").path("Tags").toString())
                .contains("\"team\"", "\"platform\"");

        // a second synthesis makes no second warmer
        app.synth();
        assertThat(cache.getNode().getChildren().stream().filter(child -> child instanceof CacheWarmer)).hasSize(1);
    }

    @Test
    void theTaskDefinitionWaitsForTheWarmerWhichWaitsForTheRuleItsTemplateAndTheRegistryPolicy() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder(), (stack, cache) -> containerOf(stack, cache, NGINX));
        String warmer = synthesized.idsOf("Custom::EcrCacheWarmer").get(0);
        assertThat(synthesized.dependsOn("AWS::ECS::TaskDefinition")).contains(warmer)
                .containsAll(synthesized.idsOf("AWS::EC2::VPCEndpoint"));
        assertThat(synthesized.dependsOn("Custom::EcrCacheWarmer"))
                .containsAll(synthesized.idsOf("Custom::EcrRegistryPolicyStatements"))
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesEcrPublic").doesNotContain("CreationTemplate"))
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesEcrPublicCreationTemplate"))
                .noneSatisfy(id -> assertThat(id).startsWith("CacheRulesQuay"));
        assertThat(synthesized.idsOf("Custom::EcrRegistryPolicyStatements")).isNotEmpty();
    }

    @Test
    void aRuleFirstWarmedLaterIsGrantedAndAwaitedToo() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder(), (stack, cache) -> {
            cache.imageUri(NGINX);
            cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).repositoryPrefix("quay-mirror").build());
            cache.warm("quay.io/prometheus/prometheus:v3.0.0");
        });
        assertThat(synthesized.dependsOn("Custom::EcrCacheWarmer"))
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesEcrPublic"))
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesQuay"));
        String pulls = synthesized.template().path("Resources").properties().stream()
                .filter(entry -> entry.getKey().startsWith("CacheWarmerHandlerPolicy")).findFirst().orElseThrow()
                .getValue().toString();
        assertThat(pulls).contains(":repository/ecr-public/*").contains(":repository/quay/*").doesNotContain("k8s");
    }

    @Test
    void withATemporaryNatGatewayNothingIsWarmedUnlessAskedAndWarmSaysHowToTurnItOn() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder().temporaryNat(true), (stack, cache) -> {
            containerOf(stack, cache, NGINX);
            assertThatThrownBy(() -> cache.warm(PROMETHEUS))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Warming/Cache")
                    .hasMessageContaining(PROMETHEUS)
                    .hasMessageContaining("PullThroughCacheProps.warm(true)");
        });
        assertThat(synthesized.idsOf("Custom::EcrCacheWarmer")).isEmpty();
        assertThat(synthesized.cache().getWarmer()).isNull();
    }

    @Test
    void aTemporaryNatGatewayAndWarmingTogetherMakeTheContainerWaitForBoth() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder().temporaryNat(true).warm(true),
                (stack, cache) -> containerOf(stack, cache, NGINX));
        List<String> dependsOn = synthesized.dependsOn("AWS::ECS::TaskDefinition");
        assertThat(dependsOn).containsAll(synthesized.idsOf("Custom::EcrCacheWarmer"))
                .containsAll(synthesized.idsOf("AWS::EC2::NatGateway"))
                .containsAll(synthesized.idsOf("AWS::EC2::Route").stream().filter(id -> id.startsWith("CacheTemporaryNat")).toList());
        assertThat(synthesized.idsOf("Custom::EcrCacheWarmer")).hasSize(1);
    }

    @Test
    void warmFalseLeavesTheContainerWaitingForTheRuleAndNetworkOnly() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder().warm(false), (stack, cache) -> containerOf(stack, cache, NGINX));
        assertThat(synthesized.idsOf("Custom::EcrCacheWarmer")).isEmpty();
        assertThat(synthesized.dependsOn("AWS::ECS::TaskDefinition")).containsAll(synthesized.idsOf("AWS::EC2::VPCEndpoint"))
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesEcrPublic"));
    }

    @Test
    void theWarmerOptionsReachTheWarmer() {
        Synthesized synthesized = synthesize(PullThroughCacheProps.builder().warmerOptions(CacheWarmerOptions.builder()
                .schedule(ScheduleExpression.rate(Duration.days(1)))
                .platforms(List.of("linux/arm64"))
                .failOnError(true)
                .concurrency(8)
                .build()), (stack, cache) -> cache.imageUri(NGINX));
        JsonNode properties = synthesized.only("Custom::EcrCacheWarmer").path("Properties");
        assertThat(properties.path("FailOnError").asBoolean()).isTrue();
        assertThat(properties.path("Concurrency").asInt()).isEqualTo(8);
        assertThat(properties.path("Platforms").toString()).isEqualTo("[\"linux/arm64\"]");
        JsonNode schedule = synthesized.only("AWS::Scheduler::Schedule").path("Properties");
        assertThat(schedule.path("ScheduleExpression").asText()).isEqualTo("rate(1 day)");
        assertThat(schedule.path("Target").path("Input").toString()).contains(NGINX);
    }

    @Test
    void anImageNoRuleServesIsTheRoutingErrorWhetherRoutedOrWarmed() {
        synthesize(PullThroughCacheProps.builder(), (stack, cache) -> {
            assertThatThrownBy(() -> cache.warm("ghcr.io/actions/actions-runner:latest"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ghcr.io")
                    .hasMessageContaining("Add the registry to PullThroughCacheProps.upstreams");
            assertThat(cache.getWarmer().getImageUris()).isEmpty();
        });
    }

    @Test
    void anImageBehindACredentialThisAppCreatesWarnsThatItsWarmFailsUntilTheTokenIsPutIn() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Credentials");
        UpstreamCredentialSecret secret = new UpstreamCredentialSecret(stack, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("me").build());
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.dockerHub(secret.getSecret())))
                .build());
        cache.imageUri(NGINX);
        cache.imageUri("postgres:17");
        Annotations annotations = Annotations.fromStack(stack);
        annotations.hasWarning("/Credentials/Cache/Warmer", Match.stringLikeRegexp(
                ".*rule 'docker-hub', whose credential secret Credentials/DockerHubCredential .*placeholder access token.*"
                        + "put-secret-value --secret-id ecr-pullthroughcache/docker-hub --secret-string .*"));
        annotations.hasNoWarning("/Credentials/Cache/Warmer", Match.stringLikeRegexp(".*rule 'ecr-public'.*"));
    }

    @Test
    void theDeployableStackTakesTheSwitchAndTheImagesFromContextOverProps() {
        App app = TestApps.newApp(Map.of("warmImages", "public.ecr.aws/nginx/nginx:1.27,quay.io/prometheus/prometheus:v3.0.0"));
        PullThroughCacheStack stack = new PullThroughCacheStack(app, "Deployable", PullThroughCacheStackProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                .warmImages(List.of("public.ecr.aws/docker/library/redis:7"))
                .build());
        app.synth();
        assertThat(stack.getCache().getWarmer().getImageUris()).hasSize(2)
                .allSatisfy(uri -> assertThat(uri).doesNotContain("redis"));

        App off = TestApps.newApp(Map.of("warm", "false"));
        assertThatThrownBy(() -> new PullThroughCacheStack(off, "Deployable", PullThroughCacheStackProps.builder()
                .warmImages(List.of(NGINX)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warming is off");
    }
}
