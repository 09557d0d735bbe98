package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * One model of what a cache serves, read by every feature: a cache of ECR Public and a copied registry, with a rule
 * added after everything else, as issue 30 tried it. Synthesized once.
 */
class CacheModelTest {

    private static final String DOTNET = "mcr.microsoft.com/dotnet/runtime:8.0";

    private static Template template;
    private static JsonNode json;
    private static Template consumer;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Model", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.copied("mcr.microsoft.com")))
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .sharedWith(CacheConsumers.organization("o-a1b2c3d4e5"))
                .removeCachedRepositoriesOnDestroy(true)
                .evictUnpulledAfter(Duration.days(30))
                .dashboard(true)
                .build());
        // what fills the cache, asked for before anything is warmed or copied
        CfnResource nodeGroup = CfnResource.Builder.create(stack, "NodeGroup").type("Custom::NodeGroup").build();
        nodeGroup.getNode().addDependency(cache.getWarmUp());
        cache.warm(DOTNET);
        // a rule added after every feature
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());

        Stack workloads = new Stack(app, "Workloads", StackProps.builder()
                .env(software.amazon.awscdk.Environment.builder().account("222222222222").region("eu-west-1").build())
                .build());
        IPullThroughCache central = PullThroughCache.fromCacheAttributes(workloads, "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("eu-west-1")
                        .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.copied("mcr.microsoft.com")))
                        .build());
        PullThroughCacheConsumer routed = new PullThroughCacheConsumer(workloads, "Cache",
                PullThroughCacheConsumerProps.builder().cache(central).build());
        assertThat(routed.imageUri(DOTNET)).endsWith("/mcr/dotnet/runtime:8.0");

        Synth synth = Synth.of(app);
        template = synth.template("Model");
        json = synth.json("Model");
        consumer = synth.template("Workloads");
    }

    @Test
    void removalOnDestroyCoversTheCopiedPrefixAndTheRuleAddedLater() {
        template.hasResourceProperties("Custom::EcrCachedRepositories",
                Map.of("Prefixes", List.of("ecr-public", "mcr", "quay")));
    }

    @Test
    void evictionCoversTheCopiedPrefixAndKeepsTheCopiedImage() {
        String input = json.path("Resources").path(TemplateJson.logicalIds(json, "AWS::Scheduler::Schedule").stream()
                .filter(id -> id.startsWith("CacheEvictor")).findFirst().orElseThrow())
                .path("Properties").path("Target").path("Input").toString();
        assertThat(input).contains("\\\"mcr\\\"", "\\\"quay\\\"", "mcr/dotnet/runtime", "8.0");
    }

    @Test
    void theSharedPrefixesNameTheCopiedRegistryByItsHost() {
        template.hasOutput("CacheSharedPrefixes", Map.of("Value",
                "{\"ecr-public\":\"ecr-public\",\"quay\":\"quay\",\"mcr\":\"copied:mcr.microsoft.com\"}"));
    }

    @Test
    void theDashboardHasTheCopierRowAndThePullsOfEveryPrefix() {
        String body = json.path("Resources").path(TemplateJson.logicalIds(json, "AWS::CloudWatch::Dashboard").get(0))
                .path("Properties").path("DashboardBody").toString();
        assertThat(body).contains("ImagesCopied", "CopiesFailed", "BytesCopied", "RepositoryName=mcr",
                "RepositoryName=quay");
    }

    @Test
    void theWarmUpHoldsTheWarmerAndTheCopierTakenBeforeEither() {
        String warmer = TemplateJson.logicalIds(json, "Custom::EcrCacheWarmer").get(0);
        String copier = TemplateJson.logicalIds(json, "Custom::EcrImageCopier").get(0);
        String nodeGroup = TemplateJson.logicalIds(json, "Custom::NodeGroup").get(0);
        assertThat(TemplateJson.dependsOn(json, nodeGroup)).contains(warmer, copier);
    }

    @Test
    void theWarmerAndTheCopierPublishTheirMetricsWithoutBeingAskedFor() {
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", "image-copier/index.handler",
                "Environment", Map.of("Variables", Match.objectLike(Map.of("METRICS_CACHE", Match.anyValue())))));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", "cache-warmer/index.handler",
                "Environment", Map.of("Variables", Match.objectLike(Map.of("METRICS_CACHE", Match.anyValue())))));
    }

    @Test
    void aConsumerRoutesAndWarmsTheCopiesOfACopiedRegistryItImports() {
        consumer.hasResourceProperties("Custom::EcrCacheWarmer", Map.of("Images", List.of(Match.objectLike(Map.of(
                "image", DOTNET, "repository", "mcr/dotnet/runtime")))));
    }
}
