package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmerOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;

/**
 * The consumer side of a shared cache: a stack of account 222222222222 pulls through the cache of account
 * 111111111111, with its own endpoints, routing, warmer and ordering, and nothing written into its registry policy.
 */
class PullThroughCacheConsumerTest {

    private static final String ORGANIZATION = "o-a1b2c3d4e5";
    private static final Environment CONSUMER = Environment.builder().account("222222222222").region("eu-west-1").build();
    private static final Environment OTHER_REGION = Environment.builder().account("222222222222").region("us-east-1").build();
    private static final List<Object> CENTRAL_HOST = List.of("111111111111.dkr.ecr.eu-west-1.", Map.of("Ref", "AWS::URLSuffix"));

    private static JsonNode json;
    private static Template template;
    private static PullThroughCacheConsumer consumer;
    private static int childrenBeforeSynthesis;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Consumer", StackProps.builder().env(CONSUMER).build());
        IPullThroughCache central = PullThroughCache.fromCacheAttributes(stack, "Central", PullThroughCacheAttributes
                .builder().account("111111111111").region("eu-west-1")
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.dockerHub()))
                .sharedWith(CacheConsumers.organization(ORGANIZATION))
                .build());
        consumer = new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps.builder()
                .cache(central)
                .endpointOptions(RegistryEndpointsOptions.builder()
                        .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS)).build())
                .warmerOptions(CacheWarmerOptions.builder().schedule(ScheduleExpression.rate(Duration.days(1))).build())
                .build());
        FargateTaskDefinition task = new FargateTaskDefinition(stack, "Task");
        task.addContainer("Web", ContainerDefinitionOptions.builder()
                .image(consumer.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());
        consumer.imageUri("nginx:1.27");
        consumer.warm("public.ecr.aws/nginx/nginx:1.27");
        childrenBeforeSynthesis = consumer.getNode().getChildren().size();
        Synth synth = Synth.of(app);
        json = synth.json("Consumer");
        template = synth.template("Consumer");
    }

    @Test
    void itsVpcHoldsIsolatedSubnetsOnlyWithNoWayToTheInternet() {
        // a consumer has no temporary NAT gateway: nothing public, and the isolated subnets where a cache's are
        template.resourceCountIs("AWS::EC2::InternetGateway", 0);
        template.resourceCountIs("AWS::EC2::VPCGatewayAttachment", 0);
        template.resourceCountIs("AWS::EC2::NatGateway", 0);
        template.resourceCountIs("AWS::EC2::Subnet", 2);
        template.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("CidrBlock", "10.0.16.0/20"), 1);
        template.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("CidrBlock", "10.0.32.0/20"), 1);
        template.resourcePropertiesCountIs("AWS::EC2::Route", Map.of("DestinationCidrBlock", "0.0.0.0/0"), 0);
        assertThat(json.toString()).doesNotContain("0.0.0.0/0");
    }

    @Test
    void theEndpointsServeThisRegistryAndTheCentralOneAndTheLayerBucketOnly() {
        template.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Interface"), 3);
        for (String service : List.of("ecr.api", "ecr.dkr")) {
            template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                    "ServiceName", Match.stringLikeRegexp(".*" + service.replace(".", "\\.")),
                    "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                            "Sid", "ThisRegistryOnly",
                            "Principal", Map.of("AWS", "arn:aws:iam::222222222222:root"),
                            "Resource", List.of("arn:aws:ecr:eu-west-1:111111111111:repository/*",
                                    "arn:aws:ecr:eu-west-1:222222222222:repository/*"))))))));
        }
        template.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Gateway",
                "PolicyDocument", Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Action", "s3:GetObject", "Resource", "arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"))))));
    }

    @Test
    void theChildrenAreNamedAsThoseOfTheCentralCache() {
        assertThat(consumer.getVpc().getNode().getPath()).isEqualTo("Consumer/Cache/Vpc");
        assertThat(consumer.getEndpoints().getNode().getPath()).isEqualTo("Consumer/Cache/Endpoints");
        assertThat(consumer.getWarmer().getNode().getPath()).isEqualTo("Consumer/Cache/Warmer");
    }

    @Test
    void routingAnImageCreatesNothingTheWarmerIsCreatedWithTheConsumer() {
        // Vpc, Endpoints and Warmer before synthesis; synthesis adds nothing
        assertThat(childrenBeforeSynthesis).isEqualTo(3);
        assertThat(consumer.getNode().getChildren()).hasSize(3);
    }

    @Test
    void theTaskPullsFromTheCentralRegistryWithTheIdentitySideGrantedHere() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Image", Map.of("Fn::Join", List.of("", List.of(CENTRAL_HOST.get(0),
                        CENTRAL_HOST.get(1), "/ecr-public/nginx/nginx:1.27"))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Resource", "arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/*",
                                "Action", Match.arrayWith(List.of("ecr:BatchGetImage", "ecr:BatchImportUpstreamImage",
                                        "ecr:CreateRepository", "ecr:GetDownloadUrlForLayer")))),
                        Match.objectLike(Map.of("Action", "ecr:GetAuthorizationToken", "Resource", "*")))))));
    }

    @Test
    void theWarmerPullsEveryRoutedAndWarmedImageOnceThroughTheCentralRegistry() {
        Map<String, Object> registryUrl = Map.of("Fn::Join", List.of("", List.of("https://" + CENTRAL_HOST.get(0),
                CENTRAL_HOST.get(1))));
        template.resourceCountIs("Custom::EcrCacheWarmer", 1);
        template.hasResourceProperties("Custom::EcrCacheWarmer", Map.of("Images", List.of(
                Map.of("image", "public.ecr.aws/nginx/nginx:1.27", "registryUrl", registryUrl,
                        "repository", "ecr-public/nginx/nginx", "reference", "1.27"),
                Map.of("image", "nginx:1.27", "registryUrl", registryUrl,
                        "repository", "docker-hub/library/nginx", "reference", "1.27"))));
        template.resourceCountIs("AWS::Scheduler::Schedule", 1);
    }

    @Test
    void nothingIsWrittenIntoTheConsumersRegistry() {
        template.resourceCountIs("AWS::ECR::RegistryPolicy", 0);
        template.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 0);
        template.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 0);
    }

    @Test
    void theTaskDefinitionWaitsForEveryEndpointAndTheWarmersRun() {
        List<String> dependsOn = new ArrayList<>();
        TemplateJson.logicalIds(json, "AWS::ECS::TaskDefinition")
                .forEach(id -> dependsOn.addAll(TemplateJson.dependsOn(json, id)));
        assertThat(TemplateJson.logicalIds(json, "AWS::EC2::VPCEndpoint")).hasSize(4);
        assertThat(dependsOn).containsAll(TemplateJson.logicalIds(json, "AWS::EC2::VPCEndpoint"));
        assertThat(dependsOn).containsAll(TemplateJson.logicalIds(json, "Custom::EcrCacheWarmer"));
        // the execution role is not held back: only the task definition waits
        TemplateJson.logicalIds(json, "AWS::IAM::Role").forEach(role ->
                assertThat(TemplateJson.dependsOn(json, role)).doesNotContainAnyElementsOf(
                        TemplateJson.logicalIds(json, "Custom::EcrCacheWarmer")));
    }

    private static Stack consumerStack(App app, Environment env) {
        return new Stack(app, "Consumer", StackProps.builder().env(env).build());
    }

    private static IPullThroughCache importIn(Stack stack, String region) {
        return PullThroughCache.fromCacheAttributes(stack, "Central", PullThroughCacheAttributes.builder()
                .account("111111111111").region(region).build());
    }

    @Test
    void aMissingCacheIsRefusedSayingWhatToGive() {
        Stack stack = consumerStack(TestApps.bareApp(), CONSUMER);

        assertThatThrownBy(() -> new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps.builder().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PullThroughCacheConsumerProps.cache is required: the cache to pull through, such as "
                        + "PullThroughCache.fromCacheAttributes(this, \"Central\", PullThroughCacheAttributes.builder()");
        assertThatThrownBy(() -> new PullThroughCacheConsumer(stack, "Other", null))
                .hasMessageStartingWith("PullThroughCacheConsumerProps.cache is required");
    }

    @Test
    void aCacheOfAnotherRegionIsRefusedWhileTheConsumerCreatesEndpoints() {
        Stack stack = consumerStack(TestApps.bareApp(), OTHER_REGION);
        IPullThroughCache central = importIn(stack, "eu-west-1");

        assertThatThrownBy(() -> new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps.builder()
                .cache(central).build()))
                .hasMessage("PullThroughCacheConsumerProps.cache Consumer/Central is in region 'eu-west-1', not in the "
                        + "region of stack Consumer (us-east-1): the consumer's VPC endpoints serve the registries of their "
                        + "own region only. Use a cache in us-east-1 (or replicate the cached repositories to it), or give "
                        + "endpoints(false) and warm(false) to a VPC that reaches eu-west-1 itself, through a NAT gateway");
    }

    @Test
    void aCacheOfAnotherRegionIsRefusedWhileTheConsumerWarms() {
        Stack stack = consumerStack(TestApps.bareApp(), OTHER_REGION);
        IPullThroughCache central = importIn(stack, "eu-west-1");

        assertThatThrownBy(() -> new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps.builder()
                .cache(central).endpoints(false).build()))
                .hasMessageContaining("the warmer takes its registry token in its own region")
                .hasMessageEndingWith("or give endpoints(false) and warm(false) to a VPC that reaches eu-west-1 itself, "
                        + "through a NAT gateway");
    }

    @Test
    void aCacheOfAnotherRegionIsTakenWithoutEndpointsOrWarmingAndItsWarningAcknowledged() {
        App app = TestApps.newApp();
        Stack stack = consumerStack(app, OTHER_REGION);
        IPullThroughCache central = importIn(stack, "eu-west-1");
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps
                .builder().cache(central).endpoints(false).warm(false).build());
        new FargateTaskDefinition(stack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());

        Template consumer = Synth.of(app).template("Consumer");
        consumer.resourceCountIs("AWS::EC2::VPCEndpoint", 0);
        consumer.resourceCountIs("Custom::EcrCacheWarmer", 0);
        consumer.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Image", Map.of("Fn::Join", List.of("", List.of("111111111111.dkr.ecr.eu-west-1.",
                        Map.of("Ref", "AWS::URLSuffix"), "/ecr-public/nginx/nginx:1.27"))))))));
        Annotations.fromStack(stack).hasNoWarning("*", Match.stringLikeRegexp(".*is not the region of stack.*"));
    }

    @Test
    void withoutWarmingNothingIsWarmedAndWarmIsRefused() {
        App app = TestApps.newApp();
        Stack stack = consumerStack(app, CONSUMER);
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps
                .builder().cache(importIn(stack, "eu-west-1")).warm(false).build());
        new FargateTaskDefinition(stack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());

        assertThatThrownBy(() -> cache.warm("public.ecr.aws/nginx/nginx:1.27"))
                .hasMessage("PullThroughCacheConsumer Consumer/Cache cannot warm [public.ecr.aws/nginx/nginx:1.27]: warming "
                        + "is off (PullThroughCacheConsumerProps.warm is false). Give PullThroughCacheConsumerProps.warm(true)");
        JsonNode consumer = Synth.of(app).json("Consumer");
        assertThat(TemplateJson.logicalIds(consumer, "Custom::EcrCacheWarmer")).isEmpty();
        String task = TemplateJson.logicalIds(consumer, "AWS::ECS::TaskDefinition").get(0);
        assertThat(TemplateJson.dependsOn(consumer, task))
                .containsAll(TemplateJson.logicalIds(consumer, "AWS::EC2::VPCEndpoint"));
        assertThat(cache.getWarmer()).isNull();
    }

    @Test
    void anImageNoRuleOfTheCacheServesIsRefusedNamingTheRules() {
        Stack stack = consumerStack(TestApps.bareApp(), CONSUMER);
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps
                .builder().cache(importIn(stack, "eu-west-1")).build());

        assertThatThrownBy(() -> cache.imageUri("quay.io/prometheus/prometheus:v3.0.0"))
                .hasMessage("Image reference 'quay.io/prometheus/prometheus:v3.0.0' is from registry 'quay.io', which no "
                        + "rule of PullThroughCacheConsumer Consumer/Cache (cache Consumer/Central) serves. Its rules: "
                        + "[ecr-public (public.ecr.aws)]. Name the upstream in the cache's PullThroughCacheAttributes"
                        + ".upstreams, if the cache has a rule for it");
    }

    @Test
    void aCacheOfAnotherStackOfThisAccountIsPulledThroughWithThisRegistryOnlyInTheEndpoints() {
        App app = TestApps.newApp();
        Stack centralStack = new Stack(app, "Central", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache central = new PullThroughCache(centralStack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY)).build());
        Stack workloads = new Stack(app, "Workloads", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(workloads, "Cache",
                PullThroughCacheConsumerProps.builder().cache(central).build());
        new FargateTaskDefinition(workloads, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("quay.io/prometheus/prometheus:v3.0.0")).build());

        Synth synth = Synth.of(app);
        Template consumer = synth.template("Workloads");
        consumer.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Sid", "ThisRegistryOnly",
                        "Resource", "arn:aws:ecr:eu-west-1:111111111111:repository/*")))))));
        consumer.hasResourceProperties("Custom::EcrCacheWarmer", Map.of("Images", List.of(Match.objectLike(Map.of(
                "image", "quay.io/prometheus/prometheus:v3.0.0", "repository", "quay/prometheus/prometheus")))));
        consumer.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
        // the central cache's own warmer is not given the consumer's images
        synth.template("Central").hasResourceProperties("Custom::EcrCacheWarmer", Map.of("Images", List.of()));
        assertThat(central.getImagesInUse()).isEmpty();
    }

    @Test
    void anEnvironmentAgnosticConsumerLetsItsEndpointsReachTheCentralRegistry() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Agnostic");
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps
                .builder().cache(importIn(stack, "eu-west-1")).build());
        new FargateTaskDefinition(stack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());

        String policies = Synth.of(app).json("Agnostic").toString();
        assertThat(policies).contains("\":ecr:\",{\"Ref\":\"AWS::Region\"},\":111111111111:repository/*\"");
    }

    @Test
    void aCacheOfThisAppInAnotherAccountSharedWithNoOneIsRefusedAtSynth() {
        App app = TestApps.newApp();
        Stack centralStack = new Stack(app, "Central", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache central = new PullThroughCache(centralStack, "Cache", null);
        Stack stack = consumerStack(app, CONSUMER);
        new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps.builder().cache(central).build());

        assertThatThrownBy(app::synth).hasMessageContaining("PullThroughCacheConsumerProps.cache Central/Cache (account "
                + "111111111111) is shared with no one: its registry would refuse the pulls of account 222222222222 "
                + "(stack Consumer). Share it with that account in the cache's app, with PullThroughCacheProps.sharedWith("
                + "CacheConsumers.organization(...)) or CacheConsumers.accounts(...)");
    }

    @Test
    void aCacheOfThisAppInAnotherAccountSharedWithTheOrganization() {
        App app = TestApps.newApp();
        Stack centralStack = new Stack(app, "Central", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache central = new PullThroughCache(centralStack, "Cache", PullThroughCacheProps.builder()
                .sharedWith(CacheConsumers.organization(ORGANIZATION)).build());
        Stack stack = consumerStack(app, CONSUMER);
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps
                .builder().cache(central).build());
        new FargateTaskDefinition(stack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());

        Synth.of(app).template("Consumer").resourceCountIs("Custom::EcrCacheWarmer", 1);
    }

    @Test
    void anImportSaidToBeSharedWithOtherAccountsIsRefusedAtSynth() {
        App app = TestApps.newApp();
        Stack stack = consumerStack(app, CONSUMER);
        IPullThroughCache central = PullThroughCache.fromCacheAttributes(stack, "Central", PullThroughCacheAttributes
                .builder().account("111111111111").sharedWith(CacheConsumers.accounts(List.of("333333333333"))).build());
        new PullThroughCacheConsumer(stack, "Cache", PullThroughCacheConsumerProps.builder().cache(central).build());

        assertThatThrownBy(app::synth).hasMessageContaining("PullThroughCacheConsumerProps.cache Consumer/Central (account "
                + "111111111111) is shared with accounts [333333333333] (PullThroughCacheAttributes.sharedWith), not with "
                + "222222222222: its registry would refuse the pulls of account 222222222222");
    }
}
