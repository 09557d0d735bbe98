package io.github.pullthroughcache.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;

/** Each bad input errors at synth with the property and the value; warnings where ECR would accept it. */
class RepositoryCreationTemplateValidationTest {

    private static Stack stack() {
        return new Stack(TestApps.bareApp(), "Stack", StackProps.builder().env(TestApps.ENV).build());
    }

    private static RepositoryCreationTemplate template(Stack stack, String id,
            Consumer<RepositoryCreationTemplateProps.Builder> settings) {
        RepositoryCreationTemplateProps.Builder props = RepositoryCreationTemplateProps.builder().prefix("quay");
        settings.accept(props);
        return new RepositoryCreationTemplate(stack, id, props.build());
    }

    private static RepositoryCreationTemplate template(Consumer<RepositoryCreationTemplateProps.Builder> settings) {
        return template(stack(), "Template", settings);
    }

    private static void lifecycle(LifecycleRule... rules) {
        template(props -> props.lifecycleRules(List.of(rules)));
    }

    private static LifecycleRule.Builder expireAfter(int days) {
        return LifecycleRule.builder().maxImageAge(Duration.days(days));
    }

    @Test
    void thePrefixIsRequired() {
        assertThatThrownBy(() -> new RepositoryCreationTemplate(stack(), "Template",
                RepositoryCreationTemplateProps.builder().build()))
                .hasMessage("RepositoryCreationTemplateProps.prefix is required: a repository prefix such as 'quay', "
                        + "or ROOT for every repository no other template matches");
    }

    @Test
    void thePrefixFollowsEcrsPatternAndLength() {
        assertThatThrownBy(() -> template(props -> props.prefix("Quay")))
                .hasMessageStartingWith("RepositoryCreationTemplateProps.prefix 'Quay' is invalid: expected 1 to 256 "
                        + "characters of lowercase path components");
        String longest = "a/".repeat(127) + "ab";
        assertThatCode(() -> template(props -> props.prefix(longest))).doesNotThrowAnyException();
        assertThatThrownBy(() -> template(props -> props.prefix(longest + "c")))
                .hasMessageContaining("'" + longest + "c' is invalid");
        assertThatCode(() -> template(props -> props.prefix("q"))).doesNotThrowAnyException();
    }

    @Test
    void aTokenPrefixIsNotChecked() {
        assertThatCode(() -> template(props -> props.prefix(Lazy.string(() -> "Not Checked"))))
                .doesNotThrowAnyException();
    }

    @Test
    void appliedForNeedsEachOccasionOnce() {
        assertThatThrownBy(() -> template(props -> props.appliedFor(List.of())))
                .hasMessage("RepositoryCreationTemplateProps.appliedFor [] is invalid: expected one or more of "
                        + "[PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH], each once");
        assertThatThrownBy(() -> template(props -> props.appliedFor(List.of(AppliedFor.REPLICATION, AppliedFor.REPLICATION))))
                .hasMessageStartingWith("RepositoryCreationTemplateProps.appliedFor [REPLICATION, REPLICATION] is invalid");
    }

    @Test
    void aDescriptionOver256Characters() {
        assertThatCode(() -> template(props -> props.description("d".repeat(256)))).doesNotThrowAnyException();
        assertThatThrownBy(() -> template(props -> props.description("d".repeat(257))))
                .hasMessage("RepositoryCreationTemplateProps.description is 257 characters long ('"
                        + "d".repeat(40) + "...'): ECR accepts at most 256");
    }

    @Test
    void moreThan50Tags() {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < 51; i++) {
            tags.put("key" + i, "value");
        }
        assertThatThrownBy(() -> template(props -> props.resourceTags(tags)))
                .hasMessage("RepositoryCreationTemplateProps.resourceTags has 51 tags: ECR accepts at most 50");
        assertThatThrownBy(() -> template(props -> props.resourceTags(Map.of("k".repeat(129), "v"))))
                .hasMessageContaining("resourceTags key '" + "k".repeat(129) + "' is invalid: expected 1 to 128");
    }

    @Test
    void moreThan5ExclusionFilters() {
        assertThatThrownBy(() -> template(props -> props.imageTagMutability(TagMutability.IMMUTABLE_WITH_EXCLUSION)
                .imageTagMutabilityExclusionFilters(List.of("a", "b", "c", "d", "e", "f"))))
                .hasMessage("RepositoryCreationTemplateProps.imageTagMutabilityExclusionFilters has 6 filters "
                        + "[a, b, c, d, e, f]: ECR accepts at most 5");
    }

    @Test
    void twoRulesWithOnePriority() {
        assertThatThrownBy(() -> lifecycle(expireAfter(1).rulePriority(3).tagStatus(TagStatus.UNTAGGED).build(),
                LifecycleRule.builder().rulePriority(3).tagPrefixList(List.of("v")).maxImageCount(5).build()))
                .hasMessage("RepositoryCreationTemplateProps.lifecycleRules[1] has rulePriority 3, which "
                        + "RepositoryCreationTemplateProps.lifecycleRules[0] has too: each rule needs its own priority");
    }

    @Test
    void aRuleAddedLaterIsCheckedWithTheOthers() {
        RepositoryCreationTemplate template = template(props -> props.lifecycleRules(
                List.of(LifecycleRule.builder().maxImageCount(100).build())));

        assertThatThrownBy(() -> template.addLifecycleRule(LifecycleRule.builder().maxImageCount(5).build()))
                .hasMessageContaining("lifecycleRules[1] is a second rule for tagStatus ANY");
    }

    @Test
    void aLifecyclePolicyOver30720CharactersFailsSynthesis() {
        List<LifecycleRule> rules = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            rules.add(LifecycleRule.builder().description("d".repeat(250)).tagPrefixList(List.of("t" + i))
                    .maxImageCount(1).build());
        }
        Stack stack = stack();
        template(stack, "Template", props -> props.lifecycleRules(rules));

        assertThatThrownBy(() -> App.of(stack).synth()).hasMessageMatching("(?s).*\\[Stack/Template\\] "
                + "RepositoryCreationTemplateProps.lifecycleRules render to a lifecycle policy of \\d+ characters, and "
                + "ECR accepts at most 30720: use fewer rules or shorter descriptions.*");
    }

    @Test
    void anInvalidRepositoryPolicyFailsSynthesis() {
        Stack stack = stack();
        template(stack, "Template", props -> props.repositoryPolicy(PolicyDocument.Builder.create()
                .statements(List.of(PolicyStatement.Builder.create().actions(List.of("ecr:BatchGetImage")).build()))
                .build()));

        assertThatThrownBy(() -> App.of(stack).synth())
                .hasMessageContaining("[Stack/Template] RepositoryCreationTemplateProps.repositoryPolicy: A "
                        + "PolicyStatement used in a resource-based policy must specify at least one IAM principal.");
    }

    @Test
    void twoTemplatesWithOnePrefixInARegistry() {
        App app = TestApps.bareApp();
        template(new Stack(app, "A", StackProps.builder().env(TestApps.ENV).build()), "Quay", props -> { });
        Stack other = new Stack(app, "B", StackProps.builder().env(TestApps.ENV).build());

        assertThatThrownBy(() -> template(other, "Quay", props -> props.prefix("quay/")))
                .hasMessage("RepositoryCreationTemplateProps.prefix 'quay/' of B/Quay is already used by A/Quay in "
                        + "registry 111111111111/eu-west-1: each repository creation template of a registry needs its "
                        + "own prefix");
    }

    @Test
    void aRuleTakesOneTemplate() {
        PullThroughCacheRule rule = new PullThroughCacheRule(stack(), "Quay",
                PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());
        rule.addCreationTemplate(CreationTemplateOptions.builder().build());

        assertThatThrownBy(() -> rule.addCreationTemplate(CreationTemplateOptions.builder().build()))
                .hasMessage("Rule Stack/Quay already has its creation template Stack/Quay/CreationTemplate: a prefix "
                        + "takes one template");
    }

    @Test
    void immutableTagsOnAPullThroughCacheTemplateWarn() {
        Stack stack = stack();
        new PullThroughCacheRule(stack, "Quay", PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build())
                .addCreationTemplate(CreationTemplateOptions.builder().imageTagMutability(TagMutability.IMMUTABLE).build());
        template(stack, "Replicated", props -> props.prefix("replicated").appliedFor(List.of(AppliedFor.REPLICATION))
                .imageTagMutability(TagMutability.IMMUTABLE));

        Annotations annotations = Annotations.fromStack(stack);
        annotations.hasWarning("/Stack/Quay/CreationTemplate", Match.stringLikeRegexp(".*makes the tags of pull through "
                + "cache repositories IMMUTABLE: ECR then cannot refresh a cached tag that moved upstream.*"));
        annotations.hasNoWarning("/Stack/Replicated", Match.anyValue());
    }

    @Test
    void aTemplatePrefixThatNoRuleServesWarns() {
        Stack stack = stack();
        new PullThroughCacheRule(stack, "Quay", PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());
        template(stack, "Ghcr", props -> props.prefix("ghcr"));
        template(stack, "QuayTeam", props -> props.prefix("quay/team"));
        template(stack, "Root", props -> props.prefix("ROOT"));
        template(stack, "Pushed", props -> props.prefix("pushed").appliedFor(List.of(AppliedFor.CREATE_ON_PUSH)));

        Annotations annotations = Annotations.fromStack(stack);
        annotations.hasWarning("/Stack/Ghcr", Match.stringLikeRegexp(".*applies to pull through cache repositories "
                + "under 'ghcr', which no pull through cache rule of this registry serves \\(rules: \\[quay \\(Quay\\)\\]\\)"));
        for (String served : List.of("/Stack/QuayTeam", "/Stack/Root", "/Stack/Pushed")) {
            annotations.hasNoWarning(served, Match.anyValue());
        }
    }

    @Test
    void kmsWithoutARoleGetsOneCreated() {
        RepositoryCreationTemplate template = template(props -> props.encryption(TemplateEncryption.KMS_AWS_MANAGED_KEY));

        assertThat(template.getCustomRole()).isNotNull();
        assertThat(template.getNode().tryFindChild("CustomRole")).isSameAs(template.getCustomRole());
    }

    static Stream<Arguments> badExclusionFilters() {
        return Stream.of(
                Arguments.of("an exclusion mutability without filters", (Consumer<RepositoryCreationTemplateProps.Builder>)
                        props -> props.imageTagMutability(TagMutability.MUTABLE_WITH_EXCLUSION),
                        "RepositoryCreationTemplateProps.imageTagMutabilityExclusionFilters is required with "
                                + "imageTagMutability MUTABLE_WITH_EXCLUSION: give 1 to 5 wildcard filters such as 'latest' or 'dev-*'"),
                Arguments.of("filters without an exclusion mutability", (Consumer<RepositoryCreationTemplateProps.Builder>)
                        props -> props.imageTagMutabilityExclusionFilters(List.of("latest")),
                        "RepositoryCreationTemplateProps.imageTagMutabilityExclusionFilters [latest] needs "
                                + "imageTagMutability IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not MUTABLE"),
                Arguments.of("a filter with a space", (Consumer<RepositoryCreationTemplateProps.Builder>)
                        props -> props.imageTagMutability(TagMutability.MUTABLE_WITH_EXCLUSION)
                                .imageTagMutabilityExclusionFilters(List.of("dev build")),
                        "RepositoryCreationTemplateProps.imageTagMutabilityExclusionFilters filter 'dev build' is "
                                + "invalid: expected 1 to 128 letters, digits, '.', '_', '-' or the wildcard '*'"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("badExclusionFilters")
    void exclusionFiltersGoWithAnExclusionMutabilityOnly(String what, Consumer<RepositoryCreationTemplateProps.Builder> settings,
            String message) {
        assertThatThrownBy(() -> template(settings)).hasMessage(message);
    }

    static Stream<Arguments> badLifecycleRules() {
        return Stream.of(
                Arguments.of("an ANY rule before a higher priority", new LifecycleRule[] {
                        LifecycleRule.builder().rulePriority(1).maxImageCount(100).build(),
                        expireAfter(1).rulePriority(2).tagStatus(TagStatus.UNTAGGED).build()},
                        "RepositoryCreationTemplateProps.lifecycleRules[0] is the rule for tagStatus ANY and has "
                                + "rulePriority 1, but RepositoryCreationTemplateProps.lifecycleRules[1] comes after it with 2: "
                                + "ECR applies the ANY rule last, so give it the highest priority"),
                Arguments.of("an ANY rule with a priority before a rule with none", new LifecycleRule[] {
                        LifecycleRule.builder().rulePriority(9).maxImageCount(100).build(),
                        expireAfter(1).tagStatus(TagStatus.UNTAGGED).build()},
                        "lifecycleRules[0] is the rule for tagStatus ANY and has rulePriority 9, but "
                                + "RepositoryCreationTemplateProps.lifecycleRules[1] has none"),
                Arguments.of("a second ANY rule", new LifecycleRule[] {LifecycleRule.builder().maxImageCount(100).build(),
                        LifecycleRule.builder().tagStatus(TagStatus.ANY).maxImageCount(5).build()},
                        "RepositoryCreationTemplateProps.lifecycleRules[1] is a second rule for tagStatus ANY (the "
                                + "first is RepositoryCreationTemplateProps.lifecycleRules[0]): a lifecycle policy has at most "
                                + "one, its last rule"),
                Arguments.of("tag prefixes on UNTAGGED", new LifecycleRule[] {LifecycleRule.builder().tagStatus(TagStatus.UNTAGGED)
                        .tagPrefixList(List.of("v")).maxImageCount(5).build()},
                        "RepositoryCreationTemplateProps.lifecycleRules[0] has tagStatus UNTAGGED and tagPrefixList "
                                + "[v]: tag prefixes and patterns select tagged images only; use tagStatus TAGGED"),
                Arguments.of("TAGGED without tags", new LifecycleRule[] {
                        LifecycleRule.builder().tagStatus(TagStatus.TAGGED).maxImageCount(5).build()},
                        "RepositoryCreationTemplateProps.lifecycleRules[0] has tagStatus TAGGED and no "
                                + "tagPrefixList or tagPatternList: name the tags it selects, or use ANY or UNTAGGED"),
                Arguments.of("both prefixes and patterns", new LifecycleRule[] {LifecycleRule.builder()
                        .tagPrefixList(List.of("v")).tagPatternList(List.of("v*")).maxImageCount(5).build()},
                        "has both tagPrefixList and tagPatternList"),
                Arguments.of("a pattern with five wildcards", new LifecycleRule[] {LifecycleRule.builder()
                        .tagPatternList(List.of("*a*b*c*d*")).maxImageCount(5).build()},
                        "has tag pattern '*a*b*c*d*' with more than 4 wildcards (*)"),
                Arguments.of("neither age nor count", new LifecycleRule[] {
                        LifecycleRule.builder().tagStatus(TagStatus.UNTAGGED).build()},
                        "RepositoryCreationTemplateProps.lifecycleRules[0] needs exactly one of maxImageAge and "
                                + "maxImageCount, got neither"),
                Arguments.of("both age and count", new LifecycleRule[] {expireAfter(1).maxImageCount(3).build()}, "got both"),
                Arguments.of("a count of 0", new LifecycleRule[] {LifecycleRule.builder().maxImageCount(0).build()},
                        "has maxImageCount 0: expected 1 or more"),
                Arguments.of("a priority of 0", new LifecycleRule[] {
                        LifecycleRule.builder().rulePriority(0).maxImageCount(1).build()},
                        "has rulePriority 0: expected a whole number, 1 or more"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("badLifecycleRules")
    void aLifecyclePolicyEcrWouldRefuseIsRefused(String what, LifecycleRule[] rules, String message) {
        assertThatThrownBy(() -> lifecycle(rules)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void theRuleForAnyTagStatusIsAcceptedLast() {
        assertThatCode(() -> lifecycle(LifecycleRule.builder().maxImageCount(100).build(),
                expireAfter(1).tagStatus(TagStatus.UNTAGGED).build())).doesNotThrowAnyException();
    }
}
