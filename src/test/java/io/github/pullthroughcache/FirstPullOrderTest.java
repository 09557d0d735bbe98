package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;

/**
 * A container whose image comes from {@code containerImage} starts only once its first pull can work: its task
 * definition (and so its service) depends on the rule, its creation template, the registry policy, the endpoints and
 * the temporary NAT gateway's routes. Checked on the synthesized template.
 */
class FirstPullOrderTest {

    private static JsonNode template;
    private static PullThroughCache cache;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Ordered");
        cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                .temporaryNat(true)
                .build());
        new FargateTaskDefinition(stack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());
        cache.imageUri("quay.io/prometheus/prometheus:v3.0.0");
        cache.imageUri("public.ecr.aws/nginx/nginx:1.27");
        template = Synth.of(app).json("Ordered");
    }

    private static List<String> dependsOnOfTheTaskDefinition() {
        List<String> dependsOn = new ArrayList<>();
        TemplateJson.logicalIds(template, "AWS::ECS::TaskDefinition")
                .forEach(id -> dependsOn.addAll(TemplateJson.dependsOn(template, id)));
        return dependsOn;
    }

    private static List<String> idsOf(String type) {
        return TemplateJson.logicalIds(template, type);
    }

    @Test
    void theTaskDefinitionWaitsForTheRuleItPullsThroughAndItsTemplateOnly() {
        assertThat(dependsOnOfTheTaskDefinition())
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesEcrPublic").doesNotContain("CreationTemplate"))
                .anySatisfy(id -> assertThat(id).startsWith("CacheRulesEcrPublicCreationTemplate"))
                .noneSatisfy(id -> assertThat(id).startsWith("CacheRulesQuay"));
    }

    @Test
    void theTaskDefinitionWaitsForTheRegistryPolicyTheEndpointsAndTheNatRoutes() {
        List<String> dependsOn = dependsOnOfTheTaskDefinition();
        assertThat(dependsOn).containsAll(idsOf("Custom::EcrRegistryPolicyStatements"));
        assertThat(dependsOn).containsAll(idsOf("AWS::EC2::VPCEndpoint"));
        assertThat(dependsOn).containsAll(idsOf("AWS::EC2::Route").stream().filter(id -> id.startsWith("CacheTemporaryNat")).toList());
        assertThat(dependsOn).containsAll(idsOf("AWS::EC2::NatGateway"));
    }

    @Test
    void theCacheKnowsTheImagesItRoutedOnceEachInOrder() {
        assertThat(cache.getImagesInUse()).containsExactly("public.ecr.aws/nginx/nginx:1.27",
                "quay.io/prometheus/prometheus:v3.0.0");
    }

    @Test
    void theExecutionRoleDoesNotWaitForThePolicyThatNamesIt() {
        template.path("Resources").forEach(resource -> {
            if (resource.path("Type").asText().equals("AWS::IAM::Role")) {
                assertThat(resource.path("DependsOn").toString()).doesNotContain("RegistryPolicy");
            }
        });
    }
}
