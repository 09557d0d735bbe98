package io.github.pullthroughcache.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.IConstruct;

/** Every template setting, synthesized once in one app with cdk-nag's packs. */
class RepositoryCreationTemplateTest {

    static final List<LifecycleRule> MIXED_RULES = List.of(
            LifecycleRule.builder().description("keep 30 releases").tagPrefixList(List.of("v", "release-"))
                    .maxImageCount(30).build(),
            LifecycleRule.builder().rulePriority(5).tagStatus(TagStatus.UNTAGGED).maxImageAge(Duration.days(7)).build(),
            LifecycleRule.builder().tagPatternList(List.of("dev-*-build")).maxImageAge(Duration.days(3)).build(),
            LifecycleRule.builder().maxImageCount(500).build());

    private static Synth synth;
    private static Template template;
    private static PullThroughCacheRule quay;
    private static RepositoryCreationTemplate quayTemplate;
    private static RepositoryCreationTemplate ecrPublicTemplate;
    private static RepositoryCreationTemplate byUserKey;
    private static RepositoryCreationTemplate awsManaged;
    private static RepositoryCreationTemplate root;
    private static Key userKey;
    private static Role userRole;
    private static Stack stack;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        stack = new Stack(app, "Templates", StackProps.builder().env(TestApps.ENV).build());
        quay = rule("Quay", UpstreamRegistry.QUAY);
        quayTemplate = quay.addCreationTemplate(CreationTemplateOptions.builder().build());
        ecrPublicTemplate = rule("EcrPublic", UpstreamRegistry.ECR_PUBLIC).addCreationTemplate(
                CreationTemplateOptions.builder()
                        .encryption(TemplateEncryption.KMS_NEW_KEY)
                        .resourceTags(Map.of("team", "platform"))
                        .lifecycleRules(List.of())
                        .build());
        userKey = Key.Builder.create(stack, "UserKey").enableKeyRotation(true).build();
        byUserKey = new RepositoryCreationTemplate(stack, "ByUserKey", RepositoryCreationTemplateProps.builder()
                .prefix("team/apps")
                .appliedFor(List.of(AppliedFor.REPLICATION, AppliedFor.CREATE_ON_PUSH))
                .description("Replicated and pushed application images")
                .encryption(TemplateEncryption.kms(userKey))
                .imageTagMutability(TagMutability.MUTABLE_WITH_EXCLUSION)
                .imageTagMutabilityExclusionFilters(List.of("v*", "release-*"))
                .lifecycleRules(MIXED_RULES)
                .repositoryPolicy(PolicyDocument.Builder.create().statements(List.of(PolicyStatement.Builder.create()
                        .sid("PullFromOtherAccount")
                        .principals(List.of(new AccountPrincipal("222222222222")))
                        .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"))
                        .build())).build())
                .build());
        awsManaged = new RepositoryCreationTemplate(stack, "AwsManaged", RepositoryCreationTemplateProps.builder()
                .prefix("managed")
                .appliedFor(List.of(AppliedFor.REPLICATION))
                .encryption(TemplateEncryption.KMS_AWS_MANAGED_KEY)
                .build());
        userRole = Role.Builder.create(stack, "UserRole").assumedBy(new ServicePrincipal("ecr.amazonaws.com")).build();
        root = new RepositoryCreationTemplate(stack, "Root", RepositoryCreationTemplateProps.builder()
                .prefix("ROOT")
                .appliedFor(List.of(AppliedFor.REPLICATION))
                .resourceTags(Map.of("replicated", "true"))
                .customRole(userRole)
                .build());
        root.addLifecycleRule(LifecycleRule.builder().maxImageCount(100).build());

        synth = Synth.of(TestApps.withNagPacks(app));
        template = synth.template("Templates");
    }

    private static PullThroughCacheRule rule(String id, UpstreamRegistry upstream) {
        return new PullThroughCacheRule(stack, id, PullThroughCacheRuleProps.builder().upstream(upstream).build());
    }

    private static JsonNode properties(RepositoryCreationTemplate construct) {
        return resource(construct.getResource().getLogicalId()).path("Properties");
    }

    private static JsonNode resource(String logicalIdToken) {
        return synth.json("Templates").path("Resources").path(stack.resolve(logicalIdToken).toString());
    }

    private static String logicalId(IConstruct construct) {
        return stack.resolve(((CfnElement) construct.getNode().getDefaultChild()).getLogicalId()).toString();
    }

    @Test
    void aRuleTemplateDefaultsToAes256MutableTagsAndExpiringUntaggedImages() {
        JsonNode properties = properties(quayTemplate);

        assertThat(properties.path("Prefix").asText()).isEqualTo("quay");
        assertThat(properties.path("AppliedFor").toString()).isEqualTo("[\"PULL_THROUGH_CACHE\"]");
        assertThat(properties.path("EncryptionConfiguration").toString()).isEqualTo("{\"EncryptionType\":\"AES256\"}");
        assertThat(properties.path("ImageTagMutability").asText()).isEqualTo("MUTABLE");
        assertThat(properties.path("LifecyclePolicy").asText()).isEqualTo("{\"rules\":[{\"rulePriority\":1,"
                + "\"description\":\"Expire untagged images 14 days after they were cached\",\"selection\":"
                + "{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countNumber\":14,"
                + "\"countUnit\":\"days\"},\"action\":{\"type\":\"expire\"}}]}");
        assertThat(properties.path("Description").asText()).isEqualTo("Repositories cached from quay.io by rule quay");
        assertThat(properties.has("CustomRoleArn")).isFalse();
        assertThat(properties.has("ResourceTags")).isFalse();
        assertThat(quayTemplate.getCustomRole()).isNull();
        assertThat(quayTemplate.getNode().tryFindChild("CustomRole")).isNull();
    }

    @Test
    void theRuleWaitsForItsTemplate() {
        JsonNode rule = resource(quay.getResource().getLogicalId());

        assertThat(rule.path("DependsOn").toString()).contains(logicalId(quayTemplate));
        assertThat(quay.getCreationTemplate()).isSameAs(quayTemplate);
    }

    @Test
    void aNewKeyIsRotatedAndRetained() {
        String key = logicalId(ecrPublicTemplate.getEncryptionKey());
        JsonNode keyResource = resource(key);

        assertThat(keyResource.path("Type").asText()).isEqualTo("AWS::KMS::Key");
        assertThat(keyResource.path("Properties").path("EnableKeyRotation").asBoolean()).isTrue();
        assertThat(keyResource.path("DeletionPolicy").asText()).isEqualTo("Retain");
        assertThat(keyResource.path("UpdateReplacePolicy").asText()).isEqualTo("Retain");
        assertThat(properties(ecrPublicTemplate).path("EncryptionConfiguration").toString())
                .isEqualTo("{\"EncryptionType\":\"KMS\",\"KmsKey\":{\"Fn::GetAtt\":[\"" + key + "\",\"Arn\"]}}");
        assertThat(properties(ecrPublicTemplate).has("LifecyclePolicy")).isFalse();
    }

    @Test
    void kmsAndTagsGetARoleTrustedByEcrWithNothingMore() {
        String role = logicalId(ecrPublicTemplate.getCustomRole());
        String key = logicalId(ecrPublicTemplate.getEncryptionKey());

        assertThat(properties(ecrPublicTemplate).path("CustomRoleArn").toString())
                .isEqualTo("{\"Fn::GetAtt\":[\"" + role + "\",\"Arn\"]}");
        assertThat(properties(ecrPublicTemplate).path("ResourceTags").toString())
                .isEqualTo("[{\"Key\":\"team\",\"Value\":\"platform\"}]");
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", Map.of("Statement", List.of(Map.of(
                        "Action", "sts:AssumeRole", "Effect", "Allow",
                        "Principal", Map.of("Service", "ecr.amazonaws.com"))))));
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "Roles", List.of(Map.of("Ref", role)),
                "PolicyDocument", Map.of("Statement", List.of(
                        Map.of("Sid", "CreateRepositories", "Effect", "Allow",
                                "Action", List.of("ecr:CreateRepository", "ecr:TagResource"),
                                "Resource", "arn:aws:ecr:eu-west-1:111111111111:repository/ecr-public/*"),
                        Map.of("Sid", "UseKey", "Effect", "Allow",
                                "Action", List.of("kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"),
                                "Resource", Map.of("Fn::GetAtt", List.of(key, "Arn")))))));
        assertThat(resource(ecrPublicTemplate.getResource().getLogicalId()).path("DependsOn").toString())
                .contains(role).contains(logicalId(ecrPublicTemplate.getNode().findChild("CustomRolePolicy")));
    }

    @Test
    void aUserKeyForReplicationIsTheOnlyKeyTheRoleMayUse() {
        JsonNode properties = properties(byUserKey);
        String key = logicalId(userKey);
        String role = logicalId(byUserKey.getCustomRole());

        assertThat(properties.path("AppliedFor").toString()).isEqualTo("[\"REPLICATION\",\"CREATE_ON_PUSH\"]");
        assertThat(properties.path("EncryptionConfiguration").path("KmsKey").toString())
                .isEqualTo("{\"Fn::GetAtt\":[\"" + key + "\",\"Arn\"]}");
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "Roles", List.of(Map.of("Ref", role)),
                "PolicyDocument", Map.of("Statement", List.of(
                        Map.of("Sid", "CreateRepositories", "Effect", "Allow",
                                "Action", List.of("ecr:CreateRepository", "ecr:ReplicateImage"),
                                "Resource", Match.anyValue()),
                        Map.of("Sid", "UseKey", "Effect", "Allow",
                                "Action", List.of("kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"),
                                "Resource", Map.of("Fn::GetAtt", List.of(key, "Arn")))))));
        assertThat(byUserKey.getEncryptionKey()).isSameAs(userKey);
        assertThat(byUserKey.getNode().tryFindChild("Key")).isNull();
    }

    @Test
    void theAwsManagedKeyNeedsARoleOnTheKeysOfThisAccountAndRegion() {
        JsonNode properties = properties(awsManaged);
        String role = logicalId(awsManaged.getCustomRole());

        assertThat(properties.path("EncryptionConfiguration").toString()).isEqualTo("{\"EncryptionType\":\"KMS\"}");
        assertThat(awsManaged.getEncryptionKey()).isNull();
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of(
                "Roles", List.of(Map.of("Ref", role)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Map.of("Sid", "UseKey", "Effect", "Allow",
                        "Action", List.of("kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"),
                        "Resource", "arn:aws:kms:eu-west-1:111111111111:key/*"))))));
    }

    @Test
    void aUserRoleIsUsedAsItIs() {
        assertThat(properties(root).path("CustomRoleArn").toString())
                .isEqualTo("{\"Fn::GetAtt\":[\"" + logicalId(userRole) + "\",\"Arn\"]}");
        assertThat(properties(root).path("Prefix").asText()).isEqualTo("ROOT");
        assertThat(root.getCustomRole()).isSameAs(userRole);
        assertThat(root.getNode().tryFindChild("CustomRole")).isNull();
        assertThat(root.getNode().tryFindChild("CustomRolePolicy")).isNull();
        template.resourceCountIs("AWS::IAM::ManagedPolicy", 3);
    }

    @Test
    void theLifecycleDefaultIsTheOptionsOneAndTheStandaloneTemplateHasNone() {
        assertThat(properties(awsManaged).has("LifecyclePolicy")).isFalse();
        assertThat(RepositoryCreationTemplateProps.builder().prefix("p").build().getLifecycleRules()).isNull();
        assertThat(CreationTemplateOptions.builder().build().getLifecycleRules())
                .containsExactly(CreationTemplateOptions.EXPIRE_UNTAGGED_AFTER_14_DAYS);
        assertThat(CreationTemplateOptions.builder().lifecycleRules(List.of()).build().getLifecycleRules()).isEmpty();
        // props made from options carry every option, the options' default included
        CreationTemplateOptions options = CreationTemplateOptions.builder().description("d")
                .imageTagMutability(TagMutability.IMMUTABLE).build();
        RepositoryCreationTemplateProps props = RepositoryCreationTemplateProps.builder().options(options).prefix("p")
                .build();
        assertThat(props.getLifecycleRules()).containsExactly(CreationTemplateOptions.EXPIRE_UNTAGGED_AFTER_14_DAYS);
        assertThat(props.getDescription()).isEqualTo("d");
        assertThat(props.getImageTagMutability()).isEqualTo(TagMutability.IMMUTABLE);
    }

    @Test
    void lifecycleRulesAddedLaterAreRendered() {
        assertThat(properties(root).path("LifecyclePolicy").asText()).isEqualTo("{\"rules\":[{\"rulePriority\":1,"
                + "\"selection\":{\"tagStatus\":\"any\",\"countType\":\"imageCountMoreThan\",\"countNumber\":100},"
                + "\"action\":{\"type\":\"expire\"}}]}");
    }

    @Test
    void exclusionFiltersAndTheRepositoryPolicyAreRendered() {
        JsonNode properties = properties(byUserKey);

        assertThat(properties.path("ImageTagMutability").asText()).isEqualTo("MUTABLE_WITH_EXCLUSION");
        assertThat(properties.path("ImageTagMutabilityExclusionFilters").toString()).isEqualTo("["
                + "{\"ImageTagMutabilityExclusionFilterType\":\"WILDCARD\",\"ImageTagMutabilityExclusionFilterValue\":\"v*\"},"
                + "{\"ImageTagMutabilityExclusionFilterType\":\"WILDCARD\",\"ImageTagMutabilityExclusionFilterValue\":\"release-*\"}]");
        assertThat(properties.path("Description").asText()).isEqualTo("Replicated and pushed application images");
        assertThat(properties.path("RepositoryPolicy").asText()).isEqualTo("{\"Statement\":[{\"Action\":"
                + "[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"],\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"arn:aws:iam::222222222222:root\"},\"Sid\":\"PullFromOtherAccount\"}],"
                + "\"Version\":\"2012-10-17\"}");
    }

    @Test
    void lifecycleRulesRenderAsAnEcrRepositoryRendersThem() {
        Stack reference = new Stack(TestApps.bareApp(), "Reference");
        Repository.Builder.create(reference, "Repository").lifecycleRules(MIXED_RULES).build();
        Map<String, Map<String, Object>> repositories = Template.fromStack(reference).findResources("AWS::ECR::Repository");
        Object repositoryPolicy = ((Map<?, ?>) ((Map<?, ?>) repositories.values().iterator().next().get("Properties"))
                .get("LifecyclePolicy")).get("LifecyclePolicyText");

        assertThat(properties(byUserKey).path("LifecyclePolicy").asText()).isEqualTo(repositoryPolicy).contains(
                "\"rulePriority\":6,\"description\":\"keep 30 releases\"",
                "\"rulePriority\":8,\"selection\":{\"tagStatus\":\"any\"");
    }

    @Test
    void everyResourceMatchesItsCloudFormationSchema() {
        assertThat(CfnSchemas.violations(synth.json("Templates"))).isEmpty();
    }

    @Test
    void eachTemplateCreatesOnlyWhatItNeeds() {
        template.resourceCountIs("AWS::KMS::Key", 2);
        template.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 5);
        template.resourceCountIs("AWS::IAM::Role", 4);
    }
}
