package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerProps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleAttributes;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;

/**
 * Rules and caches that live elsewhere, used through their interfaces: a rule of one stack warmed and pulled by an
 * ECS task of another stack of the same registry, and a cache of another account used from a consumer account.
 */
class ImportsTest {

    private static final Environment CONSUMER = Environment.builder().account("222222222222").region("eu-west-1").build();
    private static final String QUAY_REPOSITORIES = "arn:aws:ecr:eu-west-1:111111111111:repository/quay/*";

    private static Template owner;
    private static Template sameRegistry;
    private static Template otherAccount;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack rules = new Stack(app, "Rules", StackProps.builder().env(TestApps.ENV).build());
        new PullThroughCacheRule(rules, "Quay", PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());

        // another stack of the same registry: the rule is imported, the warmer and the task use it
        Stack workloads = new Stack(app, "Workloads", StackProps.builder().env(TestApps.ENV).build());
        IPullThroughCacheRule quay = PullThroughCacheRule.fromRuleAttributes(workloads, "Quay",
                PullThroughCacheRuleAttributes.builder().upstream(UpstreamRegistry.QUAY).build());
        new CacheWarmer(workloads, "Warmer", CacheWarmerProps.builder()
                .rules(List.of(quay)).images(List.of("quay.io/prometheus/prometheus:v3.0.0")).build());
        FargateTaskDefinition task = new FargateTaskDefinition(workloads, "Task");
        task.addContainer("Prometheus", ContainerDefinitionOptions.builder()
                .image(software.amazon.awscdk.services.ecs.ContainerImage.fromRegistry(
                        quay.imageUri("quay.io/prometheus/prometheus:v3.0.0")))
                .build());
        quay.grantPull(task.obtainExecutionRole());

        // another account: the whole cache is imported, with Docker Hub named without its secret
        Stack consumer = new Stack(app, "Consumer", StackProps.builder().env(CONSUMER).build());
        IPullThroughCache central = PullThroughCache.fromCacheAttributes(consumer, "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("eu-west-1")
                        .upstreams(List.of(UpstreamRegistry.QUAY, UpstreamRegistry.dockerHub()))
                        .repositoryPrefixes(Map.of("docker-hub", "dockerhub"))
                        .build());
        FargateTaskDefinition web = new FargateTaskDefinition(consumer, "Web");
        web.addContainer("Nginx", ContainerDefinitionOptions.builder().image(central.containerImage("nginx:1.27")).build());
        new CacheWarmer(consumer, "Warmer", CacheWarmerProps.builder()
                .cache(central).images(List.of("quay.io/prometheus/prometheus:v3.0.0")).build());

        Synth synth = Synth.of(app);
        owner = synth.template("Rules");
        sameRegistry = synth.template("Workloads");
        otherAccount = synth.template("Consumer");
    }

    @Test
    void anImportCreatesNothingInTheStackThatUsesIt() {
        owner.resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        for (Template user : List.of(sameRegistry, otherAccount)) {
            user.resourceCountIs("AWS::ECR::PullThroughCacheRule", 0);
            user.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 0);
            user.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
            user.resourceCountIs("AWS::ECR::RegistryPolicy", 0);
        }
    }

    @Test
    void aRuleOfAnotherStackIsWarmedAndPulledByItsCachedRepositories() {
        sameRegistry.hasResourceProperties("Custom::EcrCacheWarmer", Map.of("Images", List.of(Map.of(
                "image", "quay.io/prometheus/prometheus:v3.0.0",
                "repository", "quay/prometheus/prometheus", "reference", "v3.0.0"))));
        sameRegistry.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Sid", "PullThroughCache", "Resource", QUAY_REPOSITORIES)))))));
        sameRegistry.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Image", Map.of("Fn::Join", List.of("", List.of(
                        "111111111111.dkr.ecr.eu-west-1.", Map.of("Ref", "AWS::URLSuffix"),
                        "/quay/prometheus/prometheus:v3.0.0"))))))));
        sameRegistry.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Resource", QUAY_REPOSITORIES,
                        "Action", Match.arrayWith(List.of("ecr:BatchImportUpstreamImage", "ecr:CreateRepository")))))))));
    }

    @Test
    void aCacheOfAnotherAccountIsPulledFromItsRegistryWithTheIdentitySideOnly() {
        otherAccount.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Image", Map.of("Fn::Join", List.of("", List.of(
                        "111111111111.dkr.ecr.eu-west-1.", Map.of("Ref", "AWS::URLSuffix"),
                        "/dockerhub/library/nginx:1.27"))))))));
        otherAccount.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Resource", "arn:aws:ecr:eu-west-1:111111111111:repository/dockerhub/*",
                                "Action", Match.arrayWith(List.of("ecr:BatchGetImage", "ecr:BatchImportUpstreamImage",
                                        "ecr:CreateRepository", "ecr:GetDownloadUrlForLayer")))),
                        Match.objectLike(Map.of("Action", "ecr:GetAuthorizationToken", "Resource", "*")))))));
        // the warmer of the consumer pulls from the central registry, not its own
        otherAccount.hasResourceProperties("Custom::EcrCacheWarmer", Map.of("Images", List.of(Map.of(
                "image", "quay.io/prometheus/prometheus:v3.0.0",
                "registryUrl", Map.of("Fn::Join", List.of("", List.of("https://111111111111.dkr.ecr.eu-west-1.",
                        Map.of("Ref", "AWS::URLSuffix")))),
                "repository", "quay/prometheus/prometheus", "reference", "v3.0.0"))));
    }

    @Test
    void aCacheInAnotherRegionIsWarnedOfNamingWhatWorks() {
        // a VPC with a NAT gateway reaches it; one with this region's endpoints only does not
        Stack consumer = new Stack(TestApps.bareApp(), "Consumer", StackProps.builder().env(CONSUMER).build());
        PullThroughCache.fromCacheAttributes(consumer, "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("us-east-1").build());

        software.amazon.awscdk.assertions.Annotations.fromStack(consumer).hasWarning("/Consumer/Central",
                Match.stringLikeRegexp("PullThroughCacheAttributes.region 'us-east-1' is not the region of stack "
                        + "Consumer \\(eu-west-1\\).*Use a cache in eu-west-1, or replicate the cached repositories to it"));
    }

    @Test
    void anEnvironmentAgnosticConsumerSkipsTheRegionCheck() {
        IPullThroughCache central = PullThroughCache.fromCacheAttributes(new Stack(TestApps.bareApp(), "Agnostic"), "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("us-east-1").build());

        assertThat(central.getRule("ecr-public").getRepositoryArnPattern())
                .endsWith(":ecr:us-east-1:111111111111:repository/ecr-public/*");
        assertThat(central.imageUri("public.ecr.aws/nginx/nginx:1.27")).startsWith("111111111111.dkr.ecr.us-east-1.");
    }

    @Test
    void anImportedRuleWithABadAccountIsRefused() {
        assertThatThrownBy(() -> PullThroughCacheRule.fromRuleAttributes(new Stack(TestApps.bareApp(), "S"), "Rule",
                PullThroughCacheRuleAttributes.builder().upstream(UpstreamRegistry.QUAY).account("1111").build()))
                .hasMessage("PullThroughCacheRuleAttributes.account '1111' is invalid: expected a 12-digit AWS account ID");
    }

    @Test
    void anImportedCacheWithABadAttributeNamesTheClassTheUserCalled() {
        assertThatThrownBy(() -> PullThroughCache.fromCacheAttributes(new Stack(TestApps.bareApp(), "S"), "Central",
                PullThroughCacheAttributes.builder().account("11111111111").region("eu-west-1").build()))
                .hasMessage("PullThroughCacheAttributes.account '11111111111' is invalid: expected a 12-digit AWS account ID");
        assertThatThrownBy(() -> PullThroughCache.fromCacheAttributes(new Stack(TestApps.bareApp(), "S"), "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("cn-north-1").build()))
                .hasMessageStartingWith("PullThroughCacheAttributes.region 'cn-north-1' has no ECR pull through cache");
        assertThatThrownBy(() -> PullThroughCache.fromCacheAttributes(new Stack(TestApps.bareApp(), "S"), "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("eu-west-1")
                        .repositoryPrefixes(java.util.Map.of("ecr-public", "Ecr_Public")).build()))
                .hasMessageStartingWith("PullThroughCacheAttributes.repositoryPrefixes['ecr-public'] 'Ecr_Public'");
    }
}
