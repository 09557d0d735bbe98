package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.EcrResourcePolicies;
import io.github.pullthroughcache.testing.IamDecisions;
import io.github.pullthroughcache.testing.IamDecisions.Decision;
import io.github.pullthroughcache.testing.IamDecisions.Principal;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;

/**
 * Real IAM decisions over a central cache and its consumer, both synthesized: the consumer's warmer and task
 * execution role, with the identity policies of the consumer's template, against the registry and repository
 * policies of the central template ({@link IamDecisions}, {@link EcrResourcePolicies}).
 */
class SharedCacheIamDecisionsTest {

    private static final String ORGANIZATION = "o-a1b2c3d4e5";
    private static final String CENTRAL = "111111111111";
    private static final String CONSUMER = "222222222222";
    private static final List<String> ECR_ACTIONS = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:PutImage",
            "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchDeleteImage",
            "ecr:DeleteRepository", "ecr:SetRepositoryPolicy", "ecr:DescribeImages", "ecr:ListImages",
            "ecr:TagResource", "ecr:ReplicateImage");
    private static final List<String> IMPORT_AND_READ = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchImportUpstreamImage", "ecr:CreateRepository");
    private static final String ECR_PUBLIC = repository(CENTRAL, "ecr-public/nginx/nginx");
    private static final String QUAY = repository(CENTRAL, "quay/prometheus/prometheus");
    private static final String K8S = repository(CENTRAL, "k8s/pause");
    private static final List<String> REPOSITORIES = List.of(ECR_PUBLIC, QUAY, K8S,
            repository(CONSUMER, "ecr-public/nginx/nginx"), repository("333333333333", "quay/prometheus/prometheus"));

    private static JsonNode consumer;
    private static EcrResourcePolicies central;
    private static Map<String, String> consumerPseudo;

    private static String repository(String account, String name) {
        return "arn:aws:ecr:eu-west-1:" + account + ":repository/" + name;
    }

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Environment centralEnv = Environment.builder().account(CENTRAL).region("eu-west-1").build();
        Stack centralStack = new Stack(app, "Central", StackProps.builder().env(centralEnv).build());
        new PullThroughCache(centralStack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES))
                .sharedWith(CacheConsumers.organization(ORGANIZATION))
                .build());

        Stack consumerStack = new Stack(app, "Consumer", StackProps.builder()
                .env(Environment.builder().account(CONSUMER).region("eu-west-1").build()).build());
        PullThroughCacheConsumer cache = new PullThroughCacheConsumer(consumerStack, "Cache",
                PullThroughCacheConsumerProps.builder()
                        .cache(PullThroughCache.fromCacheAttributes(consumerStack, "Central", PullThroughCacheAttributes
                                .builder().account(CENTRAL).region("eu-west-1")
                                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY,
                                        UpstreamRegistry.KUBERNETES))
                                .build()))
                        .build());
        new FargateTaskDefinition(consumerStack, "Task").addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27")).build());
        cache.warm("quay.io/prometheus/prometheus:v3.0.0");

        Synth synth = Synth.of(app);
        consumer = synth.json("Consumer");
        consumerPseudo = IamDecisions.pseudoParameters(CONSUMER, "eu-west-1");
        central = new EcrResourcePolicies(synth.json("Central"), IamDecisions.pseudoParameters(CENTRAL, "eu-west-1"));
    }

    private static String role(String logicalIdPrefix) {
        return TemplateJson.logicalIds(consumer, "AWS::IAM::Role").stream()
                .filter(id -> id.startsWith(logicalIdPrefix)).findFirst().orElseThrow();
    }

    private static Principal principal(String role) {
        return new Principal("arn:aws:iam::" + CONSUMER + ":role/" + role, CONSUMER,
                Map.of("aws:PrincipalOrgID", List.of(ORGANIZATION)));
    }

    /** @return every (action, repository) the role may call, across the central and consumer registries */
    private static List<String> allowed(String role) {
        List<JsonNode> identity = IamDecisions.identityStatements(consumer, role, consumerPseudo);
        List<String> allowed = new ArrayList<>();
        EcrResourcePolicies consumerRegistry = new EcrResourcePolicies(consumer, consumerPseudo);
        for (String repository : REPOSITORIES) {
            String owner = repository.split(":")[4];
            EcrResourcePolicies policies = owner.equals(CENTRAL) ? central : consumerRegistry;
            for (String action : ECR_ACTIONS) {
                if (IamDecisions.decide(principal(role), identity, owner, policies.statementsFor(action, repository),
                        action, repository) == Decision.ALLOW) {
                    allowed.add(action + " " + repository);
                }
            }
        }
        return allowed;
    }

    private static List<String> pairs(List<String> actions, String... repositories) {
        List<String> pairs = new ArrayList<>();
        for (String repository : repositories) {
            actions.forEach(action -> pairs.add(action + " " + repository));
        }
        return pairs;
    }

    @Test
    void theConsumersWarmerMayImportAndReadOnTheCentralPrefixesItWarmsAndNothingElse() {
        assertThat(allowed(role("CacheWarmerHandlerRole")))
                .containsExactlyInAnyOrderElementsOf(pairs(IMPORT_AND_READ, ECR_PUBLIC, QUAY));
    }

    @Test
    void bothSidesAllowTheWarmersPullsAndTheCentralSideAloneWouldNot() {
        String warmer = role("CacheWarmerHandlerRole");
        List<JsonNode> identity = IamDecisions.identityStatements(consumer, warmer, consumerPseudo);
        for (String action : IMPORT_AND_READ) {
            List<JsonNode> resource = central.statementsFor(action, QUAY);
            assertThat(IamDecisions.evaluate(identity, null, principal(warmer), action, QUAY)).isEqualTo(Decision.ALLOW);
            assertThat(IamDecisions.evaluate(resource, principal(warmer), principal(warmer), action, QUAY))
                    .isEqualTo(Decision.ALLOW);
            // the central registry lets the organization into every prefix: the consumer's role is what narrows it
            assertThat(IamDecisions.evaluate(central.statementsFor(action, K8S), principal(warmer), principal(warmer),
                    action, K8S)).isEqualTo(Decision.ALLOW);
        }
        Principal outsider = new Principal("arn:aws:iam::333333333333:role/Warmer", "333333333333",
                Map.of("aws:PrincipalOrgID", List.of("o-zzzzzzzzzz")));
        assertThat(IamDecisions.decide(outsider, identity, CENTRAL, central.statementsFor("ecr:BatchGetImage", QUAY),
                "ecr:BatchGetImage", QUAY)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void theWarmerTakesARegistryTokenInItsOwnAccount() {
        String warmer = role("CacheWarmerHandlerRole");
        assertThat(IamDecisions.decide(principal(warmer), IamDecisions.identityStatements(consumer, warmer, consumerPseudo),
                CONSUMER, List.of(), "ecr:GetAuthorizationToken", "*")).isEqualTo(Decision.ALLOW);
    }

    @Test
    void theTaskExecutionRoleMayPullThroughTheRuleOfItsImageOnly() {
        assertThat(allowed(role("TaskExecutionRole")))
                .containsExactlyInAnyOrderElementsOf(pairs(PullThroughCacheRule.PULL_ACTIONS, ECR_PUBLIC));
    }

    @Test
    void inAnotherStackOfTheCentralAccountTheIdentitySideAloneLetsTheWarmerIn() {
        App app = TestApps.newApp();
        Environment env = Environment.builder().account(CENTRAL).region("eu-west-1").build();
        PullThroughCache unshared = new PullThroughCache(new Stack(app, "Central", StackProps.builder().env(env).build()),
                "Cache", PullThroughCacheProps.builder().upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                        .build());
        Stack workloads = new Stack(app, "Workloads", StackProps.builder().env(env).build());
        new PullThroughCacheConsumer(workloads, "Cache", PullThroughCacheConsumerProps.builder().cache(unshared).build())
                .warm("quay.io/prometheus/prometheus:v3.0.0");
        Synth synth = Synth.of(app);
        JsonNode template = synth.json("Workloads");
        Map<String, String> pseudo = IamDecisions.pseudoParameters(CENTRAL, "eu-west-1");
        EcrResourcePolicies registry = new EcrResourcePolicies(synth.json("Central"), pseudo);
        String role = TemplateJson.logicalIds(template, "AWS::IAM::Role").stream()
                .filter(id -> id.startsWith("CacheWarmerHandlerRole")).findFirst().orElseThrow();
        List<JsonNode> identity = IamDecisions.identityStatements(template, role, pseudo);
        Principal warmer = new Principal("arn:aws:iam::" + CENTRAL + ":role/" + role, CENTRAL, Map.of());

        for (String action : IMPORT_AND_READ) {
            assertThat(IamDecisions.decide(warmer, identity, CENTRAL, registry.statementsFor(action, QUAY), action, QUAY))
                    .isEqualTo(Decision.ALLOW);
            assertThat(IamDecisions.decide(warmer, identity, CENTRAL, registry.statementsFor(action, ECR_PUBLIC), action,
                    ECR_PUBLIC)).isEqualTo(Decision.IMPLICIT_DENY);
        }
    }

    @Test
    void noRegistryPolicyIsWrittenInTheConsumerAccount() {
        assertThat(TemplateJson.logicalIds(consumer, "AWS::ECR::RegistryPolicy")).isEmpty();
        assertThat(TemplateJson.logicalIds(consumer, "Custom::EcrRegistryPolicyStatements")).isEmpty();
        assertThat(new EcrResourcePolicies(consumer, consumerPseudo).statementsFor("ecr:CreateRepository",
                repository(CONSUMER, "ecr-public/nginx/nginx"))).isEmpty();
    }
}
