package io.github.pullthroughcache.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.testing.TestApps;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.secretsmanager.CfnSecret;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;

/** Bad input gets an error at synth that names the property and the value, and what would be accepted. */
class PullThroughCacheRuleValidationTest {

    private static Stack stack() {
        return new Stack(TestApps.bareApp(), "Stack", StackProps.builder().env(TestApps.ENV).build());
    }

    private static PullThroughCacheRule rule(Stack stack, String id, UpstreamRegistry upstream, String prefix) {
        return new PullThroughCacheRule(stack, id,
                PullThroughCacheRuleProps.builder().upstream(upstream).repositoryPrefix(prefix).build());
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"Quay", "q", "a-prefix-that-is-thirty-one-chr", "-quay", "quay-", "quay//x", "qu ay"})
    void prefixOutsideEcrsPatternOrLength(String prefix) {
        assertThatThrownBy(() -> rule(stack(), "Rule", UpstreamRegistry.QUAY, prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PullThroughCacheRuleProps.repositoryPrefix '" + prefix + "' is invalid")
                .hasMessageContaining("2 to 30 characters");
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"ab", "a-prefix-that-is-thirty-chars-", "team/quay", "quay/", "a.b_c-d/e1"})
    void prefixesEcrAccepts(String prefix) {
        if (prefix.endsWith("-")) {
            prefix = prefix.substring(0, prefix.length() - 1) + "x";
        }
        String accepted = prefix;
        assertThatCode(() -> rule(stack(), "Rule", UpstreamRegistry.QUAY, accepted)).doesNotThrowAnyException();
    }

    @Test
    void rootIsRefusedExceptForEcrToEcr() {
        assertThatThrownBy(() -> rule(stack(), "Rule", UpstreamRegistry.ECR_PUBLIC, "ROOT"))
                .hasMessage("PullThroughCacheRuleProps.repositoryPrefix 'ROOT' is not allowed here: ROOT is only for "
                        + "an ECR to ECR rule (UpstreamRegistry.ecrPrivate); Amazon ECR Public needs a prefix such as "
                        + "'ecr-public'");

        PullThroughCacheRule root = rule(stack(), "Rule", UpstreamRegistry.ecrPrivate("222222222222", "us-east-1"), "ROOT");
        assertThat(root.getRepositoryArnPattern()).endsWith(":repository/*");
        assertThat(root.imageUri("222222222222.dkr.ecr.us-east-1.amazonaws.com/app:1")).endsWith("}/app:1");
    }

    @Test
    void aSecondRuleWithOnePrefixInOneStackIsRefused() {
        Stack stack = stack();
        rule(stack, "First", UpstreamRegistry.QUAY, "mirror");

        assertThatThrownBy(() -> rule(stack, "Second", UpstreamRegistry.KUBERNETES, "mirror/"))
                .hasMessage("PullThroughCacheRuleProps.repositoryPrefix 'mirror/' of Stack/Second is already used by "
                        + "Stack/First in registry 111111111111/eu-west-1: each rule of a registry needs its own prefix");
    }

    @Test
    void aSecondRuleWithOnePrefixInAnotherStackOfTheRegistryIsRefused() {
        App app = TestApps.bareApp();
        rule(new Stack(app, "A", StackProps.builder().env(TestApps.ENV).build()), "Quay", UpstreamRegistry.QUAY, null);
        Stack other = new Stack(app, "B", StackProps.builder().env(TestApps.ENV).build());

        assertThatThrownBy(() -> rule(other, "Quay", UpstreamRegistry.QUAY, null))
                .hasMessageContaining("'quay' of B/Quay is already used by A/Quay in registry 111111111111/eu-west-1");
    }

    @Test
    void onePrefixInTwoRegistriesOrTwoEnvironmentAgnosticStacksIsFine() {
        App app = TestApps.bareApp();
        rule(new Stack(app, "A", StackProps.builder().env(TestApps.ENV).build()), "Quay", UpstreamRegistry.QUAY, null);
        Environment otherRegion = Environment.builder().account("111111111111").region("eu-central-1").build();

        assertThatCode(() -> {
            rule(new Stack(app, "B", StackProps.builder().env(otherRegion).build()), "Quay", UpstreamRegistry.QUAY, null);
            rule(new Stack(app, "C"), "Quay", UpstreamRegistry.QUAY, null);
            rule(new Stack(app, "D"), "Quay", UpstreamRegistry.QUAY, null);
        }).doesNotThrowAnyException();
    }

    @Test
    void aFiftyFirstRuleInOneRegistryOfTheAppIsRefused() {
        App app = TestApps.bareApp();
        Stack first = new Stack(app, "First", StackProps.builder().env(TestApps.ENV).build());
        Stack second = new Stack(app, "Second", StackProps.builder().env(TestApps.ENV).build());
        for (int i = 0; i < 50; i++) {
            rule(i < 25 ? first : second, "Rule" + i, UpstreamRegistry.QUAY, "quay" + i);
        }

        assertThatThrownBy(() -> rule(second, "Rule50", UpstreamRegistry.QUAY, "quay50"))
                .hasMessage("Too many pull through cache rules for registry 111111111111/eu-west-1: Second/Rule50 "
                        + "would be rule 51, and ECR allows 50 per account and region");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1"})
    void aRegionWithoutPullThroughCacheIsRefused(String region) {
        Stack stack = new Stack(TestApps.bareApp(), "Stack", StackProps.builder()
                .env(Environment.builder().account("111111111111").region(region).build()).build());

        assertThatThrownBy(() -> rule(stack, "Rule", UpstreamRegistry.QUAY, null))
                .hasMessageStartingWith("The region of stack Stack '" + region + "' has no ECR pull through cache")
                .hasMessageContaining("deploy to a commercial region");
    }

    @Test
    void unresolvedRegionIsNotChecked() {
        assertThatCode(() -> rule(new Stack(TestApps.bareApp(), "Agnostic"), "Rule", UpstreamRegistry.QUAY, null))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"dockerHub, Docker Hub", "githubContainerRegistry, GitHub Container Registry",
            "gitlabContainerRegistry, GitLab Container Registry", "azureContainerRegistry, Azure Container Registry",
            "chainguard, Chainguard"})
    void aRegistryThatNeedsACredentialIsRefusedWithoutOne(String factory, String displayName) {
        assertThatThrownBy(() -> factoryNamed(factory).apply(null))
                .hasMessage("UpstreamRegistry." + factory + ": credential is required: " + displayName + " needs a "
                        + "Secrets Manager secret named 'ecr-pullthroughcache/<name>' holding the JSON keys 'username' "
                        + "and 'accessToken' (see UpstreamCredentialSecret); UpstreamRegistry." + factory + "() without "
                        + "arguments names a rule's upstream that lives elsewhere");
    }

    static Stream<Arguments> references() {
        return Stream.of(
                Arguments.of(UpstreamRegistry.dockerHub(), "UpstreamRegistry.dockerHub(ISecret)"),
                Arguments.of(UpstreamRegistry.githubContainerRegistry(), "UpstreamRegistry.githubContainerRegistry(ISecret)"),
                Arguments.of(UpstreamRegistry.gitlabContainerRegistry(), "UpstreamRegistry.gitlabContainerRegistry(ISecret)"),
                Arguments.of(UpstreamRegistry.azureContainerRegistry("myregistry"),
                        "UpstreamRegistry.azureContainerRegistry(String, ISecret)"),
                Arguments.of(UpstreamRegistry.chainguard(), "UpstreamRegistry.chainguard(ISecret)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("references")
    void aRuleOfAReferenceWithoutItsCredentialIsRefusedNamingTheFactoryThatTakesIt(UpstreamRegistry reference,
            String factory) {
        assertThat(reference.isReference()).isTrue();
        assertThat(reference.getCredential()).isNull();
        assertThatThrownBy(() -> rule(stack(), "Rule", reference, null))
                .hasMessageStartingWith("PullThroughCacheRuleProps.upstream is " + reference.getDisplayName()
                        + " named without its credential")
                .hasMessageContaining("PullThroughCacheRule.fromRuleAttributes")
                .hasMessageEndingWith("a rule takes " + factory + " with the secret ECR reads the credential from");
    }

    @Test
    void aSecretOfThisAppWithTheWrongNameIsRefused() {
        Secret secret = Secret.Builder.create(stack(), "Secret").secretName("dockerhub-credentials").build();

        assertThatThrownBy(() -> UpstreamRegistry.dockerHub(secret))
                .hasMessage("UpstreamRegistry.dockerHub: credential secret name 'dockerhub-credentials' must start with "
                        + "'ecr-pullthroughcache/' (ECR's service-linked role reads only those secrets), such as "
                        + "'ecr-pullthroughcache/docker-hub'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"githubContainerRegistry, ci/github", "gitlabContainerRegistry, ecr-pullthroughcache",
            "chainguard, ECR-PULLTHROUGHCACHE/cgr", "dockerHub, team/ecr-pullthroughcache/x"})
    void importedSecretWithTheWrongName(String factory, String name) {
        ISecret secret = Secret.fromSecretNameV2(stack(), "Secret", name);

        assertThatThrownBy(() -> factoryNamed(factory).apply(secret))
                .hasMessageStartingWith("UpstreamRegistry." + factory + ": credential secret name '" + name
                        + "' must start with 'ecr-pullthroughcache/'");
    }

    @Test
    void secretWhoseNameIsATokenIsNotChecked() {
        Stack stack = stack();
        Secret generatedName = new Secret(stack, "Generated");
        ISecret byArn = Secret.fromSecretCompleteArn(stack, "ByArn", Aws.STACK_ID);

        assertThatCode(() -> {
            UpstreamRegistry.dockerHub(generatedName);
            UpstreamRegistry.dockerHub(byArn);
        }).doesNotThrowAnyException();
    }

    static Stream<Arguments> badUpstreamRepositoryPrefixes() {
        return Stream.of(
                Arguments.of("a registry other than ECR", PullThroughCacheRuleProps.builder()
                        .upstream(UpstreamRegistry.QUAY).upstreamRepositoryPrefix("prometheus"),
                        "PullThroughCacheRuleProps.upstreamRepositoryPrefix 'prometheus' is not allowed for Quay "
                                + "(quay.io): ECR accepts an upstream repository prefix only for an ECR to ECR rule "
                                + "(UpstreamRegistry.ecrPrivate)"),
                Arguments.of("a ROOT rule", PullThroughCacheRuleProps.builder()
                        .upstream(UpstreamRegistry.ecrPrivate("222222222222", "us-east-1"))
                        .repositoryPrefix("ROOT").upstreamRepositoryPrefix("team-a"),
                        "PullThroughCacheRuleProps.upstreamRepositoryPrefix 'team-a' is not allowed with repositoryPrefix 'ROOT'"),
                Arguments.of("a prefix outside ECR's pattern", PullThroughCacheRuleProps.builder()
                        .upstream(UpstreamRegistry.ecrPrivate("222222222222", "us-east-1")).upstreamRepositoryPrefix("Team_A"),
                        "PullThroughCacheRuleProps.upstreamRepositoryPrefix 'Team_A' is invalid"));
    }

    @ParameterizedTest(name = "an upstream repository prefix on {0} is refused")
    @MethodSource("badUpstreamRepositoryPrefixes")
    void anUpstreamRepositoryPrefixWhereEcrAllowsNoneIsRefused(String where, PullThroughCacheRuleProps.Builder props,
            String message) {
        assertThatThrownBy(() -> new PullThroughCacheRule(stack(), "Rule", props.build())).hasMessageStartingWith(message);
    }

    @Test
    void aCustomRoleIsRefusedExceptForEcrToEcr() {
        Stack stack = stack();
        Role role = Role.Builder.create(stack, "Role").assumedBy(new ServicePrincipal("pullthroughcache.ecr.amazonaws.com")).build();

        assertThatThrownBy(() -> new PullThroughCacheRule(stack, "Rule", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.KUBERNETES).customRole(role).build()))
                .hasMessage("PullThroughCacheRuleProps.customRole is not allowed for Kubernetes (registry.k8s.io): ECR "
                        + "assumes a custom role only for an ECR to ECR rule; Kubernetes needs none");

        PullThroughCacheRule ecr = new PullThroughCacheRule(stack, "Ecr", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.ecrPrivate("222222222222", "us-east-1")).customRole(role).build());
        assertThat(ecr.getCustomRole()).isSameAs(role);
        assertThat(ecr.getNode().tryFindChild("CustomRole")).isNull();
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({"12345, us-east-1, account '12345' is invalid: expected a 12-digit AWS account ID",
            "222222222222, useast1, region 'useast1' is invalid: expected a region name such as 'us-east-1'",
            "222222222222, cn-north-1, region 'cn-north-1' has no ECR pull through cache"})
    void ecrPrivateWithABadAccountOrRegion(String account, String region, String message) {
        assertThatThrownBy(() -> UpstreamRegistry.ecrPrivate(account, region))
                .hasMessage("UpstreamRegistry.ecrPrivate: " + message
                        + (message.endsWith("cache") ? ": it is not offered in the China (cn-north-1, cn-northwest-1) or "
                        + "AWS GovCloud (us-gov-east-1, us-gov-west-1) regions; deploy to a commercial region such as "
                        + "'us-east-1'" : ""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"abc", "my-registry", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void azureRegistryNameOutsideAzuresRules(String name) {
        ISecret secret = Secret.fromSecretNameV2(stack(), "Secret", "ecr-pullthroughcache/azure");

        assertThatThrownBy(() -> UpstreamRegistry.azureContainerRegistry(name, secret))
                .hasMessage("UpstreamRegistry.azureContainerRegistry: registryName '" + name + "' is invalid: expected "
                        + "5 to 50 letters and digits, such as 'myregistry'");
    }

    @Test
    void azureRegistryNameAcceptsTheLoginServer() {
        ISecret secret = Secret.fromSecretNameV2(stack(), "Secret", "ecr-pullthroughcache/azure");

        assertThat(UpstreamRegistry.azureContainerRegistry("MyRegistry.azurecr.io", secret).getUrl())
                .isEqualTo("myregistry.azurecr.io");
    }

    @Test
    void imageOfAnotherRegistrySaysWhichRegistryTheRuleServes() {
        PullThroughCacheRule quay = rule(stack(), "Quay", UpstreamRegistry.QUAY, null);

        assertThatThrownBy(() -> quay.imageUri("nginx:1.27"))
                .hasMessage("Image reference 'nginx:1.27' is from registry 'docker.io', but rule Stack/Quay (prefix "
                        + "'quay') serves quay.io (Quay)");
    }

    @Test
    void anImageOutsideTheUpstreamRepositoryPrefixIsRefused() {
        PullThroughCacheRule ecr = new PullThroughCacheRule(stack(), "Ecr", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.ecrPrivate("222222222222", "us-east-1")).upstreamRepositoryPrefix("team-a")
                .build());

        assertThatThrownBy(() -> ecr.imageUri("222222222222.dkr.ecr.us-east-1.amazonaws.com/team-b/app:1"))
                .hasMessage("Image reference '222222222222.dkr.ecr.us-east-1.amazonaws.com/team-b/app:1' is outside "
                        + "rule Stack/Ecr: it pulls only upstream repositories under 'team-a/'");
    }

    @Test
    void anImageReferenceThatIsATokenIsRefused() {
        PullThroughCacheRule quay = rule(stack(), "Quay", UpstreamRegistry.QUAY, null);

        assertThatThrownBy(() -> quay.imageUri(Aws.STACK_NAME))
                .hasMessageStartingWith("imageUri of rule Stack/Quay needs a literal image reference such as "
                        + "'nginx:1.27', not '${Token[")
                .hasMessageContaining("a token cannot be routed to its registry at synth. Give the repository as a "
                        + "literal and append what is known only at deploy, such as a tag from a parameter: "
                        + "imageUri(\"quay.io/prometheus/prometheus\") + \":\" + tag");
    }

    @Test
    void theWayOutOfATokenReferenceTheErrorGivesRoutesTheRepository() throws Exception {
        PullThroughCacheRule quay = rule(stack(), "Quay", UpstreamRegistry.QUAY, null);
        String tag = new CfnParameter(Stack.of(quay), "Tag").getValueAsString();

        String uri = quay.imageUri("quay.io/prometheus/prometheus") + ":" + tag;

        String resolved = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Stack.of(quay).resolve(uri));
        assertThat(resolved).contains("/quay/prometheus/prometheus:").contains("{\"Ref\":\"Tag\"}");
    }

    @Test
    void aRuleWithoutUpstreamIsRefused() {
        assertThatThrownBy(() -> PullThroughCacheRuleProps.builder().build())
                .hasMessage("PullThroughCacheRuleProps.upstream is required: the registry to pull through, such as "
                        + "UpstreamRegistry.ECR_PUBLIC");
    }

    @Test
    void theRequiredPrefixCountsAtTheStartOfTheNameOnly() {
        Secret inTheMiddle = Secret.Builder.create(stack(), "Secret").secretName("team/ecr-pullthroughcache/x").build();
        assertThatThrownBy(() -> UpstreamRegistry.dockerHub(inTheMiddle))
                .hasMessageStartingWith("UpstreamRegistry.dockerHub: credential secret name 'team/ecr-pullthroughcache/x' "
                        + "must start with 'ecr-pullthroughcache/'");

        UpstreamCredentialSecret made = new UpstreamCredentialSecret(stack(), "Made", UpstreamCredentialSecretProps
                .builder().secretName("team/ecr-pullthroughcache/x").username("octo").build());
        assertThat(((CfnSecret) made.getSecret().getNode().getDefaultChild()).getName())
                .isEqualTo("ecr-pullthroughcache/team/ecr-pullthroughcache/x");
    }

    @Test
    void aCredentialSecretNameOutsideSecretsManagersCharactersIsRefused() {
        assertThatThrownBy(() -> new UpstreamCredentialSecret(stack(), "Secret", UpstreamCredentialSecretProps.builder()
                .secretName("docker hub").username("octo").build()))
                .hasMessage("UpstreamCredentialSecretProps.secretName 'docker hub' is invalid: expected letters, "
                        + "digits and /_+=.@- after 'ecr-pullthroughcache/', such as 'docker-hub'");
    }

    private static Function<ISecret, UpstreamRegistry> factoryNamed(String factory) {
        return switch (factory) {
            case "dockerHub" -> UpstreamRegistry::dockerHub;
            case "githubContainerRegistry" -> UpstreamRegistry::githubContainerRegistry;
            case "gitlabContainerRegistry" -> UpstreamRegistry::gitlabContainerRegistry;
            case "azureContainerRegistry" -> secret -> UpstreamRegistry.azureContainerRegistry("myregistry", secret);
            case "chainguard" -> UpstreamRegistry::chainguard;
            default -> throw new IllegalArgumentException(factory);
        };
    }
}
