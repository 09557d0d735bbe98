package io.github.pullthroughcache.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * A source registry replicating to its own account in another region and to another account, with a replica
 * registry in each, and a REPLACE configuration elsewhere: synthesized once. Errors on apps of their own.
 */
class RegistryReplicationTest {

    private static final String SOURCE_ACCOUNT = "111111111111";
    private static final String OTHER_ACCOUNT = "222222222222";

    private static Synth synth;
    private static RegistryReplication replication;
    private static Stack source;
    private static Stack sameAccount;
    private static Stack otherAccount;
    private static ReplicaRegistry sameAccountReplica;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        source = stack(app, "Source", SOURCE_ACCOUNT, "eu-west-1");
        replication = new RegistryReplication(source, "Replication", RegistryReplicationProps.builder()
                .rules(List.of(ReplicationRule.builder()
                        .destinations(List.of(ReplicationDestination.region("us-east-1")))
                        .repositoryFilters(List.of(ReplicationFilter.prefixMatch("ecr-public"),
                                ReplicationFilter.prefixMatch("quay/")))
                        .build()))
                .build());
        replication.addRule(ReplicationRule.builder()
                .destinations(List.of(ReplicationDestination.account(OTHER_ACCOUNT, "eu-west-1"),
                        ReplicationDestination.region("us-east-1")))
                .build());

        sameAccount = stack(app, "SameAccount", SOURCE_ACCOUNT, "us-east-1");
        sameAccountReplica = new ReplicaRegistry(sameAccount, "Replica", ReplicaRegistryProps.builder()
                .replication(replication)
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .build());
        otherAccount = stack(app, "OtherAccount", OTHER_ACCOUNT, "eu-west-1");
        new ReplicaRegistry(otherAccount, "Replica", ReplicaRegistryProps.builder().replication(replication).build());

        Stack replace = stack(app, "Replace", SOURCE_ACCOUNT, "eu-central-1");
        new RegistryReplication(replace, "Replication", RegistryReplicationProps.builder()
                .mode(RegistryReplicationMode.REPLACE)
                .rules(List.of(ReplicationRule.builder()
                        .destinations(List.of(ReplicationDestination.region("eu-north-1")))
                        .repositoryFilters(List.of(ReplicationFilter.prefixMatch("k8s")))
                        .build()))
                .build());

        synth = Synth.of(TestApps.withNagPacks(app));
    }

    private static Stack stack(App app, String id, String account, String region) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().account(account).region(region).build()).build());
    }

    @Test
    void mergeModeDeclaresItsRulesInEcrsShape() {
        Template template = synth.template("Source");
        template.resourceCountIs("Custom::EcrReplicationRules", 1);
        template.resourceCountIs("AWS::ECR::ReplicationConfiguration", 0);
        template.hasResource("Custom::EcrReplicationRules", Map.of("DeletionPolicy", "Delete"));

        JsonNode rules = synth.customResourceJson("Source", "Custom::EcrReplicationRules", "Rules");
        assertThat(rules.toString()).isEqualTo("[{\"destinations\":[{\"region\":\"us-east-1\",\"registryId\":\""
                + SOURCE_ACCOUNT + "\"}],\"repositoryFilters\":[{\"filter\":\"ecr-public\",\"filterType\":\"PREFIX_MATCH\"},"
                + "{\"filter\":\"quay/\",\"filterType\":\"PREFIX_MATCH\"}]},"
                + "{\"destinations\":[{\"region\":\"eu-west-1\",\"registryId\":\"" + OTHER_ACCOUNT + "\"},"
                + "{\"region\":\"us-east-1\",\"registryId\":\"" + SOURCE_ACCOUNT + "\"}],\"repositoryFilters\":[]}]");
        assertThat(replication.getRules()).hasSize(2);
    }

    @Test
    void theHandlerMayWriteReplicationAndCreateOnlyEcrsReplicationRole() {
        Template template = synth.template("Source");
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "ReplicationConfiguration", "Effect", "Allow", "Resource", "*",
                        "Action", List.of("ecr:DescribeRegistry", "ecr:PutReplicationConfiguration")),
                Map.of("Sid", "ReplicationServiceLinkedRole", "Effect", "Allow", "Action", "iam:CreateServiceLinkedRole",
                        "Resource", "arn:aws:iam::" + SOURCE_ACCOUNT + ":role/aws-service-role/replication.ecr.amazonaws.com/"
                                + "AWSServiceRoleForECRReplication",
                        "Condition", Map.of("StringEquals", Map.of("iam:AWSServiceName", "replication.ecr.amazonaws.com"))),
                // the owners' claims of rules: listed by their path, written only under it, by a stack's own name
                Map.of("Sid", "ReadRuleClaims", "Effect", "Allow", "Action", "ssm:GetParametersByPath",
                        "Resource", "arn:aws:ssm:eu-west-1:" + SOURCE_ACCOUNT + ":parameter/pull-through-cache/replication-rules"),
                Map.of("Sid", "WriteOwnRuleClaims", "Effect", "Allow",
                        "Action", List.of("ssm:DeleteParameter", "ssm:PutParameter"),
                        "Resource", "arn:aws:ssm:eu-west-1:" + SOURCE_ACCOUNT
                                + ":parameter/pull-through-cache/replication-rules/Ptc*"),
                Match.objectLike(Map.of("Sid", "Logs"))))));
        template.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "registry-replication/index.handler", "Runtime", "nodejs22.x"));
        template.resourceCountIs("AWS::Lambda::Function", 1);
        template.resourceCountIs("AWS::IAM::Policy", 0);
    }

    @Test
    void replaceModeIsARetainedReplicationConfiguration() {
        Template template = synth.template("Replace");
        template.resourceCountIs("Custom::EcrReplicationRules", 0);
        template.resourceCountIs("AWS::Lambda::Function", 0);
        template.hasResource("AWS::ECR::ReplicationConfiguration", Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain",
                "Properties", Map.of("ReplicationConfiguration", Map.of("Rules", List.of(Map.of(
                        "Destinations", List.of(Map.of("Region", "eu-north-1", "RegistryId", SOURCE_ACCOUNT)),
                        "RepositoryFilters", List.of(Map.of("Filter", "k8s", "FilterType", "PREFIX_MATCH"))))))));
    }

    @Test
    void aSameAccountReplicaGetsATemplatePerFilterAndNoRegistryPolicy() {
        Template template = synth.template("SameAccount");
        // the second rule replicates everything here too: ROOT
        template.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 3);
        for (String prefix : List.of("ecr-public", "quay", "ROOT")) {
            template.hasResourceProperties("AWS::ECR::RepositoryCreationTemplate", Map.of(
                    "Prefix", prefix,
                    "AppliedFor", List.of("REPLICATION"),
                    "Description", "Repositories replicated from " + SOURCE_ACCOUNT + "/eu-west-1",
                    "EncryptionConfiguration", Map.of("EncryptionType", "KMS", "KmsKey", Match.anyValue()),
                    "LifecyclePolicy", Match.stringLikeRegexp("\"tagStatus\":\"untagged\".*\"countNumber\":14")));
        }
        template.resourceCountIs("AWS::KMS::Key", 1);
        template.hasResource("AWS::KMS::Key", Map.of("DeletionPolicy", "Retain"));
        template.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
        assertThat(sameAccountReplica.getRegistryPolicyStatement()).isNull();
        assertThat(sameAccountReplica.getTemplates()).extracting(t -> t.getNode().getId())
                .containsExactly("EcrPublic", "Quay", "Root");
        assertThat(sameAccountReplica.getKey()).isNotNull();
    }

    @Test
    void anotherAccountsReplicaLetsTheSourceReplicateInItsRegistryPolicy() {
        Template template = synth.template("OtherAccount");
        template.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 1);
        template.hasResourceProperties("AWS::ECR::RepositoryCreationTemplate", Map.of(
                "Prefix", "ROOT", "AppliedFor", List.of("REPLICATION"),
                "EncryptionConfiguration", Map.of("EncryptionType", "AES256")));
        JsonNode statements = synth.registryPolicyStatements("OtherAccount");
        assertThat(statements).hasSize(1);
        assertThat(statements.get(0).path("Sid").asText()).endsWith("ReplicationFrom" + SOURCE_ACCOUNT);
        assertThat(statements.get(0).path("Principal").path("AWS").asText())
                .isEqualTo("arn:aws:iam::" + SOURCE_ACCOUNT + ":root");
        assertThat(statements.get(0).path("Action").toString()).isEqualTo("[\"ecr:CreateRepository\",\"ecr:ReplicateImage\"]");
    }

    @Test
    void theSourceIsDeployedAfterItsReplicas() {
        assertThat(source.getDependencies()).containsExactlyInAnyOrder(sameAccount, otherAccount);
    }

    @Test
    void everyResourceMatchesItsCloudFormationSchema() {
        for (String stack : List.of("Source", "SameAccount", "OtherAccount", "Replace")) {
            assertThat(CfnSchemas.violations(synth.json(stack))).as(stack).isEmpty();
        }
    }

    private static Stack sourceStack() {
        return stack(TestApps.newApp(), "Source", SOURCE_ACCOUNT, "eu-west-1");
    }

    private static ReplicationRule ruleTo(ReplicationDestination... destinations) {
        return ReplicationRule.builder().destinations(List.of(destinations)).build();
    }

    @Test
    void aDestinationEqualToTheSourceOrInAnotherPartitionIsRefused() {
        assertThatThrownBy(() -> new RegistryReplication(sourceStack(), "R", RegistryReplicationProps.builder()
                .rules(List.of(ruleTo(ReplicationDestination.account(SOURCE_ACCOUNT, "eu-west-1")))).build()))
                .hasMessageContaining("destination " + SOURCE_ACCOUNT + "/eu-west-1 is the source registry itself");
        assertThatThrownBy(() -> new RegistryReplication(sourceStack(), "R", RegistryReplicationProps.builder()
                .rules(List.of(ruleTo(ReplicationDestination.region("cn-north-1")))).build()))
                .hasMessageContaining("is in partition aws-cn, and the source registry " + SOURCE_ACCOUNT
                        + "/eu-west-1 in aws");
        assertThatThrownBy(() -> new RegistryReplication(sourceStack(), "R", RegistryReplicationProps.builder()
                .rules(List.of(ruleTo(ReplicationDestination.account(OTHER_ACCOUNT, "us-gov-west-1")))).build()))
                .hasMessageContaining("partition aws-us-gov");
    }

    @Test
    void registryLimitsAreCheckedAcrossEveryConstructReplicatingIt() {
        App app = TestApps.newApp();
        Stack stack = stack(app, "Source", SOURCE_ACCOUNT, "eu-west-1");
        RegistryReplication first = new RegistryReplication(stack, "First", RegistryReplicationProps.builder()
                .rules(IntStream.range(0, 9).mapToObj(i -> ReplicationRule.builder()
                        .destinations(List.of(ReplicationDestination.region("us-east-1")))
                        .repositoryFilters(List.of(ReplicationFilter.prefixMatch("team-" + i))).build()).toList())
                .build());
        Stack sameRegistry = stack(app, "SameRegistry", SOURCE_ACCOUNT, "eu-west-1");
        RegistryReplication second = new RegistryReplication(sameRegistry, "Second", RegistryReplicationProps.builder()
                .rules(List.of(ruleTo(ReplicationDestination.region("us-west-2")))).build());
        assertThatThrownBy(() -> second.addRule(ruleTo(ReplicationDestination.region("us-west-1"))))
                .hasMessageContaining("Too many replication rules for registry " + SOURCE_ACCOUNT + "/eu-west-1")
                .hasMessageContaining("would make it 11 (Source/First: 9, SameRegistry/Second: 1), and ECR allows 10");
        assertThatThrownBy(() -> second.addRule(first.getRules().get(0)))
                .hasMessageContaining("is declared by Source/First already");

        List<ReplicationDestination> many = IntStream.range(0, 26)
                .mapToObj(i -> ReplicationDestination.account(String.format("3%011d", i), "us-east-1")).toList();
        assertThatThrownBy(() -> new RegistryReplication(sourceStack(), "R", RegistryReplicationProps.builder()
                .rules(List.of(ReplicationRule.builder().destinations(many).build())).build()))
                .hasMessageContaining("would make it 26 distinct destinations, and ECR allows 25");
    }

    static Stream<Arguments> badRules() {
        return Stream.of(
                Arguments.of("a rule without destinations", (Runnable) () -> ReplicationRule.builder().build(),
                        "ReplicationRule.destinations is required"),
                Arguments.of("101 filters", (Runnable) () -> ReplicationRule.builder()
                        .destinations(List.of(ReplicationDestination.region("us-east-1")))
                        .repositoryFilters(IntStream.range(0, 101).mapToObj(i -> ReplicationFilter.prefixMatch("team-" + i)).toList())
                        .build(), "has 101 filters, and ECR accepts at most 100 per rule"),
                Arguments.of("a repeated destination", (Runnable) () -> ruleTo(ReplicationDestination.region("us-east-1"),
                        ReplicationDestination.region("us-east-1")), "ReplicationRule.destinations names this account/us-east-1 twice"),
                Arguments.of("a filter outside ECR's pattern", (Runnable) () -> ReplicationFilter.prefixMatch("Team_A"),
                        "prefix 'Team_A' is invalid"),
                Arguments.of("a one-character filter", (Runnable) () -> ReplicationFilter.prefixMatch("a"),
                        "expected 2 to 256 characters"),
                Arguments.of("an account that is not 12 digits", (Runnable) () -> ReplicationDestination.account("2222", "us-east-1"),
                        "account '2222' is invalid: expected a 12-digit AWS account ID"),
                Arguments.of("a region that is no region name", (Runnable) () -> ReplicationDestination.region("US East"),
                        "region 'US East' is invalid"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("badRules")
    void aBadRuleIsRefusedWhenBuilt(String what, Runnable build, String message) {
        assertThatThrownBy(build::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void replaceMustBeTheOnlyOwnerOfItsRegistry() {
        Stack stack = sourceStack();
        new RegistryReplication(stack, "Merge", RegistryReplicationProps.builder().build());
        assertThatThrownBy(() -> new RegistryReplication(stack, "Replace", RegistryReplicationProps.builder()
                .mode(RegistryReplicationMode.REPLACE).build()))
                .hasMessageContaining("would have two owners of its replication configuration: Source/Merge (MERGE) and "
                        + "Source/Replace (REPLACE)");
    }

    @Test
    void aReplicaRegistryMustBeADestination() {
        App app = TestApps.newApp();
        RegistryReplication toUsEast1 = new RegistryReplication(stack(app, "Source", SOURCE_ACCOUNT, "eu-west-1"), "R",
                RegistryReplicationProps.builder().rules(List.of(ReplicationRule.builder()
                        .destinations(List.of(ReplicationDestination.region("us-east-1")))
                        .repositoryFilters(List.of(ReplicationFilter.prefixMatch("prod-"))).build())).build());
        assertThatThrownBy(() -> new ReplicaRegistry(stack(app, "Elsewhere", SOURCE_ACCOUNT, "us-west-2"), "Replica",
                ReplicaRegistryProps.builder().replication(toUsEast1).build()))
                .hasMessageContaining("registry " + SOURCE_ACCOUNT + "/us-west-2 is not a destination of Source/R");
        Stack usEast1 = stack(app, "UsEast1", SOURCE_ACCOUNT, "us-east-1");
        assertThatThrownBy(() -> new ReplicaRegistry(usEast1, "Replica",
                ReplicaRegistryProps.builder().replication(toUsEast1).build()))
                .hasMessageContaining("filter 'prod-' does not end at a name boundary")
                .hasMessageContaining("set ReplicaRegistryProps.prefixes");
        ReplicaRegistry explicit = new ReplicaRegistry(usEast1, "Explicit", ReplicaRegistryProps.builder()
                .replication(toUsEast1).prefixes(List.of("prod")).build());
        assertThat(explicit.getTemplates()).extracting(RepositoryCreationTemplate::getPrefix).containsExactly("prod");

        App agnostic = TestApps.newApp();
        RegistryReplication fromNowhere = new RegistryReplication(new Stack(agnostic, "Agnostic"), "R",
                RegistryReplicationProps.builder().rules(List.of(ruleTo(ReplicationDestination.region("us-east-1"))))
                        .build());
        assertThatThrownBy(() -> new ReplicaRegistry(stack(agnostic, "UsEast1", SOURCE_ACCOUNT, "us-east-1"), "Replica",
                ReplicaRegistryProps.builder().replication(fromNowhere).build()))
                .hasMessageContaining("needs the account of Agnostic, whose registry replicates");
    }

    @Test
    void aReplicationWithoutRulesWarns() {
        Stack stack = sourceStack();
        new RegistryReplication(stack, "Empty", RegistryReplicationProps.builder().build());
        Annotations.fromStack(stack).hasWarning("/Source/Empty", Match.stringLikeRegexp(
                "RegistryReplication Source/Empty has no rules, so it replicates nothing.*"));
    }
}
