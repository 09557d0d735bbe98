package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicy;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.registry.RepositoryCreationTemplate;
import io.github.pullthroughcache.registry.RepositoryCreationTemplateProps;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.StarPrincipal;

/**
 * A central cache shared with an organization, its units or named accounts: what the central registry allows, to
 * whom, under which condition, and the inputs that are refused.
 */
class SharingTest {

    private static final String ORGANIZATION = "o-a1b2c3d4e5";
    private static Synth synth;
    private static Stack accountsStack;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack organization = new Stack(app, "Organization", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(organization, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC))
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .sharedWith(CacheConsumers.organization(ORGANIZATION))
                .build());
        // a rule added after sharing is shared too
        cache.addRule(io.github.pullthroughcache.rule.PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.QUAY).build());

        Stack units = new Stack(app, "Units", StackProps.builder()
                .env(software.amazon.awscdk.Environment.builder().account("333333333333").region("eu-west-1").build())
                .build());
        new PullThroughCache(units, "Cache", PullThroughCacheProps.builder()
                .sharedWith(CacheConsumers.organizationalUnits(ORGANIZATION,
                        List.of(ORGANIZATION + "/r-ab12/ou-ab12-11111111/")))
                .registryPolicyMode(RegistryPolicyMode.REPLACE)
                .build());

        Stack accounts = accountsStack = new Stack(app, "Accounts", StackProps.builder()
                .env(software.amazon.awscdk.Environment.builder().account("444444444444").region("eu-west-1").build())
                .build());
        new PullThroughCache(accounts, "Cache", PullThroughCacheProps.builder()
                .sharedWith(CacheConsumers.accounts(List.of("222222222222", "444444444444")))
                .build());
        synth = Synth.of(TestApps.withNagPacks(app));
    }

    private static final Map<String, Object> PINNED = Map.of("StringEquals", Map.of("aws:PrincipalOrgID", ORGANIZATION));

    @Test
    void theRegistryPolicyLetsTheOrganizationFillEachPrefixAndNothingElse() {
        JsonNode statements = synth.registryPolicyStatements("Organization");
        assertThat(statements).hasSize(2);
        for (JsonNode statement : statements) {
            assertThat(statement.path("Sid").asText()).contains("ShareWith");
            assertThat(statement.path("Principal").toString()).isEqualTo("{\"AWS\":\"*\"}");
            assertThat(statement.path("Condition").toString())
                    .isEqualTo("{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}");
            assertThat(statement.path("Action").toString())
                    .isEqualTo("[\"ecr:CreateRepository\",\"ecr:BatchImportUpstreamImage\"]");
        }
        assertThat(statements.findValuesAsText("Resource")).containsExactly(
                "arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/*",
                "arn:aws:ecr:eu-west-1:111111111111:repository/quay/*");
    }

    @Test
    void everyCreatedRepositoryLetsTheOrganizationPullAndNothingMore() {
        Template template = synth.template("Organization");
        template.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 2);
        template.allResourcesProperties("AWS::ECR::RepositoryCreationTemplate", Map.of("RepositoryPolicy",
                "{\"Statement\":[{\"Action\":[\"ecr:BatchCheckLayerAvailability\",\"ecr:BatchGetImage\","
                        + "\"ecr:GetDownloadUrlForLayer\"],\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":"
                        + "\"o-a1b2c3d4e5\"}},\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Sid\":\"PullByConsumers\"}],"
                        + "\"Version\":\"2012-10-17\"}"));
    }

    @Test
    void theCachesKeyLetsTheOrganizationDecryptThroughEcrOnly() {
        synth.template("Organization").hasResourceProperties("AWS::KMS::Key", Map.of("KeyPolicy", Map.of("Statement",
                Match.arrayWith(List.of(Map.of("Sid", "DecryptThroughEcrForConsumers", "Effect", "Allow",
                        "Action", "kms:Decrypt", "Resource", "*", "Principal", Map.of("AWS", "*"),
                        "Condition", Map.of("StringEquals", Map.of("aws:PrincipalOrgID", ORGANIZATION,
                                "kms:ViaService", "ecr.eu-west-1.amazonaws.com"))))))));
    }

    @Test
    void theStackOutputsWhatAConsumerNeeds() {
        Template template = synth.template("Organization");
        template.hasOutput("*", Map.of("Value", Map.of("Fn::Join", List.of("", List.of(
                "111111111111.dkr.ecr.eu-west-1.", Map.of("Ref", "AWS::URLSuffix"))))));
        template.hasOutput("*", Map.of("Value", "{\"ecr-public\":\"ecr-public\",\"quay\":\"quay\"}"));
    }

    @Test
    void organizationalUnitsArePinnedByTheirPathsAndChildUnits() {
        Template template = synth.template("Units");
        template.resourceCountIs("AWS::ECR::RegistryPolicy", 1);
        template.hasResourceProperties("AWS::ECR::RegistryPolicy", Map.of("PolicyText", Map.of("Statement",
                List.of(Match.objectLike(Map.of("Principal", Map.of("AWS", "*"), "Condition", Map.of(
                        "ForAnyValue:StringLike", Map.of("aws:PrincipalOrgPaths",
                                List.of(ORGANIZATION + "/r-ab12/ou-ab12-11111111/*")))))))));
    }

    @Test
    void namedAccountsAreNamedWithoutAStar() {
        JsonNode statements = synth.registryPolicyStatements("Accounts");
        assertThat(statements.get(0).path("Principal").path("AWS").toString())
                .contains("arn:aws:iam::222222222222:root").doesNotContain("\"*\"");
        assertThat(statements.get(0).has("Condition")).isFalse();
        Annotations.fromStack(accountsStack).hasWarning("/Accounts/Cache",
                Match.stringLikeRegexp("is shared with its own account 444444444444"));
    }

    static Stream<Arguments> badConsumers() {
        return Stream.of(
                Arguments.of((Runnable) () -> CacheConsumers.organization("o-short"),
                        "CacheConsumers.organization: organizationId 'o-short' is invalid: expected 'o-' and 10 to 32 "
                                + "lowercase letters or digits, such as 'o-a1b2c3d4e5'"),
                Arguments.of((Runnable) () -> CacheConsumers.organizationalUnits(ORGANIZATION, List.of("ou-ab12-11111111")),
                        "CacheConsumers.organizationalUnits: ouPath 'ou-ab12-11111111' is invalid: expected "
                                + "'<organization id>/<root id>/<ou id>/...' ending in '/', such as '" + ORGANIZATION
                                + "/r-ab12/ou-ab12-11111111/'"),
                Arguments.of((Runnable) () -> CacheConsumers.organizationalUnits(ORGANIZATION,
                        List.of("o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/")),
                        "CacheConsumers.organizationalUnits: ouPath 'o-zzzzzzzzzz/r-ab12/ou-ab12-11111111/' belongs to "
                                + "organization o-zzzzzzzzzz, not " + ORGANIZATION),
                Arguments.of((Runnable) () -> CacheConsumers.organizationalUnits(ORGANIZATION, List.of()),
                        "CacheConsumers.organizationalUnits: ouPaths is empty: name one or more paths such as '"
                                + ORGANIZATION + "/r-ab12/ou-ab12-11111111/'"),
                Arguments.of((Runnable) () -> CacheConsumers.accounts(List.of("1234")),
                        "CacheConsumers.accounts: account '1234' is invalid: expected a 12-digit AWS account id"),
                Arguments.of((Runnable) () -> CacheConsumers.accounts(List.of()),
                        "CacheConsumers.accounts: accountIds is empty: name one or more 12-digit account ids, or share "
                                + "with CacheConsumers.organization(...)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badConsumers")
    void aBadConsumerIsRefusedNamingTheValue(Runnable make, String message) {
        assertThatThrownBy(make::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void aCacheOnTheAwsManagedKeyCannotBeSharedAndTheErrorSaysWhatCan() {
        Stack stack = new Stack(TestApps.bareApp(), "S", StackProps.builder().env(TestApps.ENV).build());

        assertThatThrownBy(() -> new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_AWS_MANAGED_KEY).build())
                .sharedWith(CacheConsumers.organization(ORGANIZATION)).build()))
                .hasMessageContaining("encrypts with the AWS managed key aws/ecr")
                .hasMessageEndingWith("Use TemplateEncryption.KMS_NEW_KEY (a key of the cache, which sharing opens to "
                        + "the consumers through ECR), TemplateEncryption.kms(key), or AES_256");
    }

    @Test
    void aCacheIsSharedOnce() {
        PullThroughCache cache = new PullThroughCache(new Stack(TestApps.bareApp(), "S"), "Cache", PullThroughCacheProps.builder()
                .sharedWith(CacheConsumers.organization(ORGANIZATION)).build());

        assertThatThrownBy(() -> cache.shareWith(CacheConsumers.accounts(List.of("222222222222"))))
                .hasMessage("PullThroughCache S/Cache is shared with organization o-a1b2c3d4e5 already: share it once, "
                        + "with every consumer in one CacheConsumers");
    }

    static Stream<Arguments> everyoneStatements() {
        return Stream.of(
                Arguments.of("a bare star", PolicyStatement.Builder.create().sid("Bare")
                        .principals(List.of(new StarPrincipal())).actions(List.of("ecr:ReplicateImage"))
                        .resources(List.of("*")).build()),
                Arguments.of("a star under a condition that pins no organization", PolicyStatement.Builder.create()
                        .sid("Unpinned").principals(List.of(new AnyPrincipal())).actions(List.of("ecr:ReplicateImage"))
                        .conditions(Map.of("StringEquals", Map.of("aws:PrincipalAccount", "222222222222")))
                        .resources(List.of("*")).build()),
                Arguments.of("a star pinned with a negated operator", PolicyStatement.Builder.create()
                        .sid("Negated").principals(List.of(new AnyPrincipal())).actions(List.of("ecr:ReplicateImage"))
                        .conditions(Map.of("StringNotEquals", Map.of("aws:PrincipalOrgID", ORGANIZATION)))
                        .resources(List.of("*")).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyoneStatements")
    void theRegistryPolicyRefusesEveryoneUnlessTheOrganizationIsPinned(String what, PolicyStatement statement) {
        RegistryPolicy policy = RegistryPolicy.of(new Stack(TestApps.bareApp(), "S"));

        assertThatThrownBy(() -> policy.addStatements(statement))
                .hasMessageContaining("has the principal '*'")
                .hasMessageContaining("without an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition");
    }

    @Test
    void theRegistryPolicyTakesAStarPinnedToTheOrganization() {
        RegistryPolicy policy = RegistryPolicy.of(new Stack(TestApps.bareApp(), "S"));

        policy.addStatements(PolicyStatement.Builder.create().sid("Organization")
                .principals(List.of(new AnyPrincipal())).actions(List.of("ecr:ReplicateImage"))
                .conditions(PINNED).resources(List.of("*")).build());
    }

    @Test
    void aRepositoryPolicyOpenToEveryoneFailsSynthesis() {
        App app = TestApps.newApp();
        RepositoryCreationTemplate template = new RepositoryCreationTemplate(new Stack(app, "S"), "Template",
                RepositoryCreationTemplateProps.builder().prefix("team").build());
        template.addToRepositoryPolicy(PolicyStatement.Builder.create().sid("Everyone")
                .principals(List.of(new AnyPrincipal())).actions(List.of("ecr:BatchGetImage")).build());

        assertThatThrownBy(() -> app.synth())
                .hasMessageContaining("RepositoryCreationTemplateProps.repositoryPolicy statement Everyone has the principal "
                        + "'*' without an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition");
    }
}
