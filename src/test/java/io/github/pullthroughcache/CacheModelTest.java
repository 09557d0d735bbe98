package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.operations.ImageEvictorOptions;
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
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.assertions.Annotations;
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
    private static PullThroughCache model;

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
        model = cache;
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

    @Test
    void theConsumersWarmerRunsDailySoThatTheCentralEvictorKeepsWhatItUses() {
        consumer.hasResourceProperties("AWS::Scheduler::Schedule", Map.of("ScheduleExpression", "rate(1 day)"));
        // not excluded from pull-time updates: only the central warmer is
        consumer.resourceCountIs("AWS::ECR::PullTimeUpdateExclusion", 0);
    }

    @Test
    void theCacheOffersItsMetricsUnderItsOwnDimension() {
        for (var metric : List.of(model.metricImagesWarmed(), model.metricImagesFailed(), model.metricImagesCopied(),
                model.metricCopiesFailed(), model.metricImagesEvicted())) {
            assertThat(metric.getNamespace()).isEqualTo("PullThroughCache");
            assertThat(metric.getDimensions()).containsOnlyKeys("Cache");
            assertThat(metric.getStatistic()).isEqualTo("Sum");
        }
        assertThat(model.metricImagesCopied().getMetricName()).isEqualTo("ImagesCopied");
        assertThat(((software.amazon.awscdk.services.cloudwatch.SearchExpression) model.metricPulls("mcr")).getExpression())
                .contains("RepositoryPullCount", "RepositoryName=mcr");
    }

    @Test
    void credentialHealthIsOnByDefaultForARuleWithACredentialAndOffWhenAsked() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Credentials", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache plain = new PullThroughCache(stack, "Plain", PullThroughCacheProps.builder().endpoints(false).build());
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .vpc(plain.getVpc()).endpoints(false).upstreams(List.of(UpstreamRegistry.QUAY)).build());
        // a rule with a credential, added after the cache: the check comes with it
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.dockerHub(
                Secret.fromSecretNameV2(stack, "Hub", "ecr-pullthroughcache/docker-hub"))).build());
        PullThroughCache off = new PullThroughCache(stack, "Off", PullThroughCacheProps.builder()
                .vpc(plain.getVpc()).endpoints(false).validateCredentials(false)
                .upstreams(List.of(UpstreamRegistry.githubContainerRegistry(Secret.fromSecretNameV2(stack, "OffHub",
                        "ecr-pullthroughcache/github"))))
                .build());

        assertThat(plain.getCredentialCheck()).isNull();
        assertThat(off.getCredentialCheck()).isNull();
        assertThat(cache.getCredentialCheck().getNode().getPath()).isEqualTo("Credentials/Cache/CredentialCheck");
        Template credentials = Synth.of(app).template("Credentials");
        credentials.resourceCountIs("Custom::EcrCredentialCheck", 1);
        credentials.hasResourceProperties("Custom::EcrCredentialCheck", Map.of("Prefixes", List.of("docker-hub")));
    }

    @Test
    void optionsGivenWhileTheirFeatureIsOffAreNamedInAWarningWithTheirSwitch() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Options", StackProps.builder().env(TestApps.ENV).build());
        new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .evictionOptions(ImageEvictorOptions.builder().deleteEmptyRepositories(true).build())
                .validateCredentials(false)
                .alarmTopic(new Topic(stack, "Alarms"))
                .build());
        Synth.of(app);
        Annotations annotations = Annotations.fromStack(stack);
        annotations.hasWarning("/Options/Cache", Match.stringLikeRegexp("PullThroughCacheProps.evictionOptions is given "
                + "but its feature is off.*evictUnpulledAfter.*"));
        annotations.hasWarning("/Options/Cache", Match.stringLikeRegexp("PullThroughCacheProps.alarmTopic is given but "
                + "its feature is off.*validateCredentials\\(true\\).*"));
        annotations.hasNoWarning("/Options/Cache", Match.stringLikeRegexp(".*warmerOptions.*"));
    }
}
