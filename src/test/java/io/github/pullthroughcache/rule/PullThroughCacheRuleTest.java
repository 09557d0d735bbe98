package io.github.pullthroughcache.rule;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.secretsmanager.Secret;

/** Every upstream registry as a synthesized rule, in one app synthesized once. */
class PullThroughCacheRuleTest {

    private static String registry;
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    private static PullThroughCacheRule ecrPublic;
    private static PullThroughCacheRule quay;
    private static PullThroughCacheRule kubernetes;
    private static PullThroughCacheRule dockerHub;
    private static PullThroughCacheRule github;
    private static PullThroughCacheRule gitlab;
    private static PullThroughCacheRule azure;
    private static PullThroughCacheRule chainguard;
    private static PullThroughCacheRule ecr;
    private static PullThroughCacheRule agnostic;
    private static Stack agnosticStack;
    private static Grant grant;
    private static Synth synth;
    private static Template template;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Rules", StackProps.builder().env(TestApps.ENV).build());

        ecrPublic = rule(stack, "EcrPublic", UpstreamRegistry.ECR_PUBLIC, null);
        quay = rule(stack, "Quay", UpstreamRegistry.QUAY, null);
        kubernetes = rule(stack, "Kubernetes", UpstreamRegistry.KUBERNETES, null);
        UpstreamCredentialSecret dockerHubSecret = new UpstreamCredentialSecret(stack, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("octo").build());
        dockerHub = rule(stack, "DockerHub", UpstreamRegistry.dockerHub(dockerHubSecret.getSecret()), null);
        github = rule(stack, "Github", UpstreamRegistry.githubContainerRegistry(
                Secret.fromSecretNameV2(stack, "GithubSecret", "ecr-pullthroughcache/github")), null);
        gitlab = rule(stack, "Gitlab", UpstreamRegistry.gitlabContainerRegistry(Secret.fromSecretCompleteArn(stack,
                "GitlabSecret", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/gitlab-AbCdEf")),
                null);
        Secret azureSecret = Secret.Builder.create(stack, "AzureSecret").secretName("ecr-pullthroughcache/azure").build();
        // a user's own secret: its findings are the user's to acknowledge
        azureSecret.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-SMG4", "test secret", "NIST.800.53.R5-SecretsManagerRotationEnabled", "test secret",
                "NIST.800.53.R5-SecretsManagerUsingKMSKey", "test secret"));
        azure = rule(stack, "Azure", UpstreamRegistry.azureContainerRegistry("MyRegistry", azureSecret), null);
        chainguard = rule(stack, "Chainguard", UpstreamRegistry.chainguard(
                Secret.fromSecretNameV2(stack, "ChainguardSecret", "ecr-pullthroughcache/chainguard")), "cgr");
        ecr = new PullThroughCacheRule(stack, "Ecr", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.ecrPrivate("222222222222", "us-east-1"))
                .upstreamRepositoryPrefix("team-a")
                .build());
        Role puller = Role.Builder.create(stack, "Puller").assumedBy(new AccountRootPrincipal()).build();
        grant = quay.grantPull(puller);

        agnosticStack = new Stack(app, "Agnostic");
        agnostic = rule(agnosticStack, "EcrPublic", UpstreamRegistry.ECR_PUBLIC, null);

        registry = quay.getRegistryHost();
        // the puller is the user's own role: its wildcard findings are the user's to acknowledge
        puller.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM5[Resource::*]", "test puller role",
                "NIST.800.53.R5-IAMNoInlinePolicy", "test puller role"));
        synth = Synth.of(TestApps.withNagPacks(app));
        template = synth.template("Rules");
    }

    private static PullThroughCacheRule rule(Stack stack, String id, UpstreamRegistry upstream, String prefix) {
        return new PullThroughCacheRule(stack, id,
                PullThroughCacheRuleProps.builder().upstream(upstream).repositoryPrefix(prefix).build());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ecr-public,                ecr-public, public.ecr.aws",
            "quay,                      quay,       quay.io",
            "k8s,                       k8s,        registry.k8s.io",
            "docker-hub,                docker-hub, registry-1.docker.io",
            "github-container-registry, github,     ghcr.io",
            "gitlab-container-registry, gitlab,     registry.gitlab.com",
            "azure-container-registry,  azure,      myregistry.azurecr.io",
            "chainguard,                cgr,        cgr.dev",
            "ecr,                       ecr,        222222222222.dkr.ecr.us-east-1.amazonaws.com",
    })
    void everyRuleNamesItsUpstreamRegistry(String upstreamRegistry, String prefix, String url) {
        template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "UpstreamRegistry", upstreamRegistry,
                "EcrRepositoryPrefix", prefix,
                "UpstreamRegistryUrl", url));
    }

    @Test
    void registriesWithoutCredentialHaveNoCredentialArn() {
        for (String prefix : List.of("ecr-public", "quay", "k8s")) {
            template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                    "EcrRepositoryPrefix", prefix,
                    "CredentialArn", Match.absent(),
                    "CustomRoleArn", Match.absent()));
        }
        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 9);
    }

    @Test
    void aSecretOfThisStackIsReferencedByItsFullArn() {
        template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "docker-hub",
                "CredentialArn", Map.of("Ref", Match.stringLikeRegexp("^DockerHubCredential"))));
    }

    @Test
    void aSecretImportedByNameReachesEcrAsAnArnWithoutTheWildcardSuffix() {
        JsonNode arn = ruleProperties("github").path("CredentialArn");

        assertThat(arn.toString()).doesNotContain("?");
        assertThat(arn.asText()).isEqualTo("arn:aws:secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/github");
    }

    @Test
    void aSecretImportedByCompleteArnKeepsIt() {
        template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "gitlab",
                "CredentialArn", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/gitlab-AbCdEf"));
    }

    @Test
    void credentialSecretHelperWritesNoCredentialIntoTheTemplate() {
        template.hasResource("AWS::SecretsManager::Secret", Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain",
                "Properties", Map.of(
                        "Name", "ecr-pullthroughcache/docker-hub",
                        "SecretString", Match.absent(),
                        "GenerateSecretString", Map.of(
                                "SecretStringTemplate", "{\"username\":\"octo\"}",
                                "GenerateStringKey", "accessToken"))));
    }

    @Test
    void ecrToEcrRuleHasACustomRoleTrustedByPullThroughCacheAndTheUpstreamPrefix() {
        JsonNode properties = ruleProperties("ecr");
        assertThat(properties.path("UpstreamRepositoryPrefix").asText()).isEqualTo("team-a");
        assertThat(properties.path("CustomRoleArn").path("Fn::GetAtt").path(0).asText()).startsWith("EcrCustomRole");

        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(Map.of(
                        "Action", "sts:AssumeRole",
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "pullthroughcache.ecr.amazonaws.com"))))));
    }

    @Test
    void ecrToEcrRoleReadsOnlyTheUpstreamPrefixAndWritesOnlyThisRulesPrefix() {
        String policy = findProperties("AWS::IAM::ManagedPolicy", "EcrCustomRolePolicy").toString();

        assertThat(policy)
                .contains("\"Sid\":\"ReadUpstreamRepositories\"")
                .contains(":ecr:us-east-1:222222222222:repository/team-a/*")
                .contains(":ecr:eu-west-1:111111111111:repository/ecr/*")
                .contains("ecr:BatchImportUpstreamImage", "ecr:PutImage", "ecr:GetAuthorizationToken")
                .doesNotContain("ecr:CreateRepository", "ecr:DeleteRepository", "\"ecr:*\"");
        template.hasResource("AWS::ECR::PullThroughCacheRule", Map.of(
                "Properties", Map.of("EcrRepositoryPrefix", "ecr"),
                "DependsOn", Match.arrayWith(List.of(Match.stringLikeRegexp("^EcrCustomRolePolicy")))));
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "Description", Match.stringLikeRegexp("^Assumed by Amazon ECR pull through cache"),
                "Policies", Match.absent()));
    }

    @Test
    void grantPullScopesRepositoryActionsToThePrefix() {
        JsonNode statements = findProperties("AWS::IAM::Policy", "PullerDefaultPolicy").path("PolicyDocument").path("Statement");

        assertThat(grant.getSuccess()).isTrue();
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0).path("Action")).extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(
                PullThroughCacheRule.PULL_ACTIONS);
        assertThat(statements.get(0).path("Resource").toString())
                .contains(":ecr:eu-west-1:111111111111:repository/quay/*");
        assertThat(statements.get(1).path("Action").asText()).isEqualTo("ecr:GetAuthorizationToken");
        assertThat(statements.get(1).path("Resource").asText()).isEqualTo("*");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "ecrPublic  | public.ecr.aws/nginx/nginx:1.27              | ecr-public/nginx/nginx:1.27",
            "quay       | quay.io/prometheus/prometheus:v3.0.0         | quay/prometheus/prometheus:v3.0.0",
            "kubernetes | registry.k8s.io/pause:3.10                   | k8s/pause:3.10",
            "dockerHub  | nginx                                        | docker-hub/library/nginx",
            "dockerHub  | nginx:1.27                                   | docker-hub/library/nginx:1.27",
            "dockerHub  | library/nginx:1.27                           | docker-hub/library/nginx:1.27",
            "dockerHub  | docker.io/nginx:1.27                         | docker-hub/library/nginx:1.27",
            "dockerHub  | index.docker.io/library/nginx:1.27           | docker-hub/library/nginx:1.27",
            "dockerHub  | registry-1.docker.io/bitnami/redis:7.4       | docker-hub/bitnami/redis:7.4",
            "github     | ghcr.io/owner/app:main                       | github/owner/app:main",
            "gitlab     | registry.gitlab.com/group/project/image:1    | gitlab/group/project/image:1",
            "azure      | myregistry.azurecr.io/team/api:2.0           | azure/team/api:2.0",
            "chainguard | cgr.dev/chainguard/static:latest             | cgr/chainguard/static:latest",
            "ecr        | 222222222222.dkr.ecr.us-east-1.amazonaws.com/team-a/app:1 | ecr/app:1",
    })
    void imageUriRewritesEveryFormOntoTheRulesPrefix(String rule, String reference, String expected) {
        assertThat(ruleNamed(rule).imageUri(reference)).isEqualTo(registry + "/" + expected);
    }

    @Test
    void imageUriKeepsDigestsAndTagPlusDigest() {
        assertThat(dockerHub.imageUri("nginx@" + DIGEST)).isEqualTo(registry + "/docker-hub/library/nginx@" + DIGEST);
        assertThat(ecrPublic.imageUri("public.ecr.aws/nginx/nginx:1.27@" + DIGEST))
                .isEqualTo(registry + "/ecr-public/nginx/nginx:1.27@" + DIGEST);
    }

    @Test
    void imageUriIsTokenAwareInAnEnvironmentAgnosticStack() {
        String uri = agnostic.imageUri("public.ecr.aws/nginx/nginx:1.27");

        assertThat(agnosticStack.resolve(uri)).isEqualTo(Map.of("Fn::Join", List.of("", List.of(
                Map.of("Ref", "AWS::AccountId"), ".dkr.ecr.", Map.of("Ref", "AWS::Region"), ".",
                Map.of("Ref", "AWS::URLSuffix"), "/ecr-public/nginx/nginx:1.27"))));
    }

    @Test
    void gettersReturnWhatTheRuleWasMadeWith() {
        assertThat(ecr.getRepositoryPrefix()).isEqualTo("ecr");
        assertThat(ecr.getUpstreamRepositoryPrefix()).isEqualTo("team-a");
        assertThat(ecr.getCustomRole()).isNotNull();
        assertThat(quay.getCustomRole()).isNull();
        assertThat(quay.getUpstream()).isSameAs(UpstreamRegistry.QUAY);
        assertThat(quay.getStack().resolve(quay.getRegistryHost())).isEqualTo(Map.of("Fn::Join", List.of("",
                List.of("111111111111.dkr.ecr.eu-west-1.", Map.of("Ref", "AWS::URLSuffix")))));
        assertThat(quay.getNode().getDefaultChild()).isNotNull();
        assertThat(quay.getResource().getNode().getId()).isEqualTo("Resource");
    }

    @Test
    void everyResourceMatchesItsCloudFormationRegistrySchema() {
        for (JsonNode stackTemplate : synth.templates().values()) {
            assertThat(CfnSchemas.violations(stackTemplate)).isEmpty();
        }
    }

    @Test
    void cloudFormationValidationRanAndReportsNothing() {
        // Synth.of fails on any finding; this guards that the report exists and was read
        assertThat(synth.validationReport().path("title").asText()).isEqualTo("Validation Report");
    }

    private static PullThroughCacheRule ruleNamed(String name) {
        return switch (name) {
            case "ecrPublic" -> ecrPublic;
            case "quay" -> quay;
            case "kubernetes" -> kubernetes;
            case "dockerHub" -> dockerHub;
            case "github" -> github;
            case "gitlab" -> gitlab;
            case "azure" -> azure;
            case "chainguard" -> chainguard;
            case "ecr" -> ecr;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static JsonNode ruleProperties(String prefix) {
        for (JsonNode resource : synth.json("Rules").path("Resources")) {
            if (resource.path("Type").asText().equals("AWS::ECR::PullThroughCacheRule")
                    && resource.path("Properties").path("EcrRepositoryPrefix").asText().equals(prefix)) {
                return resource.path("Properties");
            }
        }
        throw new AssertionError("no rule with prefix " + prefix);
    }

    private static JsonNode findProperties(String type, String logicalIdPrefix) {
        var resources = synth.json("Rules").path("Resources").properties().iterator();
        while (resources.hasNext()) {
            var entry = resources.next();
            if (entry.getKey().startsWith(logicalIdPrefix) && entry.getValue().path("Type").asText().equals(type)) {
                return entry.getValue().path("Properties");
            }
        }
        throw new AssertionError("no " + type + " " + logicalIdPrefix);
    }
}
