package io.github.pullthroughcache.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/** Both modes synthesized once; errors and warnings on apps of their own. */
class RegistryPolicyTest {

    private static Synth synth;
    private static Template merge;
    private static Template replace;
    private static RegistryPolicy mergePolicy;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack mergeStack = new Stack(app, "Merge", StackProps.builder().env(TestApps.ENV).build());
        Role puller = role(mergeStack, "Puller");
        new PullThroughCacheRule(mergeStack, "Quay", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.QUAY).pullers(List.of(puller)).build());
        PullThroughCacheRule k8s = new PullThroughCacheRule(mergeStack, "K8s", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.KUBERNETES).build());
        k8s.addPullers(puller);
        k8s.addPullers(new AccountPrincipal("333333333333"));
        mergePolicy = RegistryPolicy.of(mergeStack);
        mergePolicy.allowReplicationFrom("222222222222");

        Stack replaceStack = new Stack(app, "Replace");
        new RegistryPolicy(replaceStack, "Policy", RegistryPolicyProps.builder().mode(RegistryPolicyMode.REPLACE).build());
        RegistryPolicy.of(replaceStack).addStatements(PolicyStatement.Builder.create()
                .sid("Team-A")
                .actions(List.of("ecr:BatchImportUpstreamImage"))
                .principals(List.of(new AccountPrincipal("444444444444")))
                .resources(List.of("arn:aws:ecr:eu-west-1:111111111111:repository/quay/*"))
                .build());

        synth = Synth.of(TestApps.withNagPacks(app));
        merge = synth.template("Merge");
        replace = synth.template("Replace");
    }

    private static Role role(Stack stack, String id) {
        return Role.Builder.create(stack, id).assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com")).build();
    }

    @Test
    void mergeModeIsACustomResourceOwningOnlyItsSids() throws Exception {
        merge.resourceCountIs("Custom::EcrRegistryPolicyStatements", 1);
        merge.resourceCountIs("AWS::ECR::RegistryPolicy", 0);
        merge.hasResource("Custom::EcrRegistryPolicyStatements", Map.of(
                "DeletionPolicy", "Delete",
                "Properties", Map.of("Owner", mergePolicy.getOwner(), "OwnerScope", "Stack")));

        // the handler puts the owner of the deployed stack (this owner and the StackId) before each name
        JsonNode statements = synth.registryPolicyStatements("Merge");
        assertThat(statements).extracting(s -> s.path("Sid").asText()).containsExactly(
                "PullThroughCachequay", "PullThroughCachek8s", "ReplicationFrom222222222222");
        assertThat(statements.get(0).path("Action").toString())
                .isEqualTo("[\"ecr:CreateRepository\",\"ecr:BatchImportUpstreamImage\"]");
        assertThat(statements.get(0).path("Resource").asText()).endsWith(":repository/quay/*");
        assertThat(statements.get(1).path("Principal").path("AWS").toString()).contains("333333333333", "Puller");
        assertThat(statements.get(2).path("Action").toString()).isEqualTo("[\"ecr:CreateRepository\",\"ecr:ReplicateImage\"]");
        assertThat(statements.get(2).path("Resource").asText()).endsWith(":repository/*");
    }

    @Test
    void theHandlerRunsNode22WithOnlyTheRegistryPolicyActionsAndItsOwnLogs() {
        merge.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Runtime", "nodejs22.x",
                "Handler", "registry-policy/index.handler",
                // five minutes: the handler waits out IAM propagating a principal created in the same deployment
                "Timeout", 300,
                "LoggingConfig", Map.of("LogGroup", Map.of("Ref", Match.stringLikeRegexp("^RegistryPolicyHandlerLogs")))));
        merge.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 365));
        merge.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "RegistryPolicy", "Effect", "Allow", "Resource", "*", "Action",
                        List.of("ecr:DeleteRegistryPolicy", "ecr:GetRegistryPolicy", "ecr:PutRegistryPolicy")),
                Map.of("Sid", "Logs", "Effect", "Allow", "Action", List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^RegistryPolicyHandlerLogs"), "Arn")))))));
        // the handler role has nothing else: no inline policy, no other managed policy
        merge.hasResourceProperties("AWS::IAM::Role", Map.of(
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(
                        Map.of("Principal", Map.of("Service", "lambda.amazonaws.com")))))),
                "ManagedPolicyArns", Match.absent(),
                "Policies", Match.absent()));
        merge.hasResource("AWS::Lambda::Function", Map.of("DependsOn",
                Match.arrayWith(List.of(Match.stringLikeRegexp("^RegistryPolicyHandlerPolicy")))));
    }

    @Test
    void replaceModeIsARetainedRegistryPolicyWithTheStatements() {
        replace.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
        replace.resourceCountIs("AWS::Lambda::Function", 0);
        replace.hasResource("AWS::ECR::RegistryPolicy", Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain",
                "Properties", Map.of("PolicyText", Map.of(
                        "Version", "2012-10-17",
                        "Statement", List.of(Match.objectLike(Map.of(
                                "Sid", Match.stringLikeRegexp("^Ptc[0-9a-f]{8}TeamA[0-9a-f]{6}$"),
                                "Action", "ecr:BatchImportUpstreamImage")))))));
    }

    @Test
    void ownersComeFromTheStackNameAndConstructPathAndAreStableAcrossSyntheses() {
        App other = TestApps.bareApp();
        RegistryPolicy samePath = RegistryPolicy.of(new Stack(other, "Merge"));
        RegistryPolicy otherStack = RegistryPolicy.of(new Stack(other, "Other"));

        assertThat(samePath.getOwner()).isEqualTo(mergePolicy.getOwner()).matches("^Ptc[0-9a-f]{8}$");
        assertThat(otherStack.getOwner()).isNotEqualTo(mergePolicy.getOwner());
        assertThat(RegistryPolicy.of(samePath)).isSameAs(samePath);
        assertThat(samePath.getNode().getId()).isEqualTo("RegistryPolicy");
    }

    @Test
    void aStarPrincipalIsAnError() {
        RegistryPolicy policy = RegistryPolicy.of(new Stack(TestApps.bareApp(), "Stack"));

        assertThatThrownBy(() -> policy.addStatements(PolicyStatement.Builder.create()
                .actions(List.of("ecr:BatchImportUpstreamImage")).principals(List.of(new AnyPrincipal()))
                .resources(List.of("*")).build()))
                .hasMessageStartingWith("RegistryPolicy statement " + policy.getOwner() + "Statement1 has the principal '*'")
                .hasMessageContaining("never everyone");
    }

    @Test
    void aStarPrincipalAddedLaterFailsSynthesis() {
        App app = TestApps.bareApp();
        Stack stack = new Stack(app, "Stack");
        PolicyStatement statement = RegistryPolicy.of(stack).allowPullThroughCache("quay", List.of(role(stack, "Puller")));
        statement.addAnyPrincipal();

        assertThatThrownBy(app::synth).hasMessageContaining("has the principal '*'");
    }

    @Test
    void notPrincipalIsAnError() {
        RegistryPolicy policy = RegistryPolicy.of(new Stack(TestApps.bareApp(), "Stack"));

        assertThatThrownBy(() -> policy.addStatements(PolicyStatement.Builder.create()
                .actions(List.of("ecr:CreateRepository")).notPrincipals(List.of(new AccountPrincipal("111111111111")))
                .resources(List.of("*")).build()))
                .hasMessageContaining("uses NotPrincipal");
    }

    @Test
    void actionsOutsidePullThroughCacheAndReplicationWarn() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        RegistryPolicy.of(stack).addStatements(PolicyStatement.Builder.create()
                .sid("Wide").actions(List.of("ecr:BatchImportUpstreamImage", "ecr:DeleteRepository"))
                .principals(List.of(new AccountPrincipal("111111111111"))).resources(List.of("*")).build());

        Annotations.fromStack(stack).hasWarning("/Stack/RegistryPolicy", Match.stringLikeRegexp(
                ".*Wide grants \\[ecr:DeleteRepository\\], outside pull through cache and replication.*"));
    }

    @Test
    void aStatementForAPrefixNoRuleServesWarns() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        new PullThroughCacheRule(stack, "Quay", PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());
        RegistryPolicy.of(stack).allowPullThroughCache("quay", List.of(new AccountPrincipal("111111111111")));
        RegistryPolicy.of(stack).allowPullThroughCache("ghcr", List.of(new AccountPrincipal("111111111111")));

        Annotations annotations = Annotations.fromStack(stack);
        annotations.hasWarning("/Stack/RegistryPolicy", Match.stringLikeRegexp(
                ".*is for repository prefix 'ghcr', which no pull through cache rule of this registry serves \\(rules: \\[quay \\(Quay\\)\\]\\).*"));
        annotations.hasNoWarning("/Stack/RegistryPolicy", Match.stringLikeRegexp(".*prefix 'quay'.*"));
    }

    @Test
    void aStatementsNameStartsWithAnUpperCaseLetterAsTheHandlerTellsOwnerSchemesApart() {
        App app = TestApps.bareApp();
        Stack stack = new Stack(app, "Stack", StackProps.builder().env(TestApps.ENV).build());
        RegistryPolicy policy = RegistryPolicy.of(stack);
        for (String sid : List.of("allowTeam", "7up", "Keep")) {
            policy.addStatements(PolicyStatement.Builder.create().sid(sid).actions(List.of("ecr:CreateRepository"))
                    .principals(List.of(new AccountPrincipal("444444444444")))
                    .resources(List.of("arn:aws:ecr:eu-west-1:111111111111:repository/quay/*")).build());
        }

        assertThat(Synth.of(app).registryPolicyStatements("Stack"))
                .extracting(s -> s.path("Sid").asText()).containsExactly("AllowTeam", "Sid7up", "Keep");
    }

    @Test
    void oneAppDeployedUnderTwoStackNamesHasTwoOwners() {
        // dev and prod of one app side by side in one account and region: same construct ids, two stack names
        App app = TestApps.bareApp();
        Stack dev = new Stack(app, "Cache", StackProps.builder().stackName("cache-dev").build());
        App prodApp = TestApps.bareApp();
        Stack prod = new Stack(prodApp, "Cache", StackProps.builder().stackName("cache-prod").build());
        RegistryPolicy devPolicy = RegistryPolicy.of(dev);
        RegistryPolicy prodPolicy = RegistryPolicy.of(prod);
        RegistryReplication devReplication = new RegistryReplication(dev, "Replication");
        RegistryReplication prodReplication = new RegistryReplication(prod, "Replication");

        assertThat(devPolicy.getNode().getPath()).isEqualTo(prodPolicy.getNode().getPath());
        assertThat(devPolicy.getOwner()).isNotEqualTo(prodPolicy.getOwner()).matches("^Ptc[0-9a-f]{8}$");
        assertThat(devReplication.getOwner()).isNotEqualTo(prodReplication.getOwner());
        Template devTemplate = Template.fromStack(dev);
        Template prodTemplate = Template.fromStack(prod);
        devTemplate.hasResourceProperties("Custom::EcrRegistryPolicyStatements",
                Map.of("Owner", devPolicy.getOwner(), "OwnerScope", "Stack"));
        prodTemplate.hasResourceProperties("Custom::EcrRegistryPolicyStatements",
                Map.of("Owner", prodPolicy.getOwner(), "OwnerScope", "Stack"));
        devTemplate.hasResourceProperties("Custom::EcrReplicationRules",
                Map.of("Owner", devReplication.getOwner(), "OwnerScope", "Stack"));
    }

    @Test
    void twoOwnersOfOneRegistryAreAnError() {
        App app = TestApps.bareApp();
        new RegistryPolicy(new Stack(app, "A", StackProps.builder().env(TestApps.ENV).build()), "Policy",
                RegistryPolicyProps.builder().mode(RegistryPolicyMode.REPLACE).build());
        Stack b = new Stack(app, "B", StackProps.builder().env(TestApps.ENV).build());

        assertThatThrownBy(() -> RegistryPolicy.of(b))
                .hasMessage("Registry 111111111111/eu-west-1 would have two owners of its registry policy: A/Policy "
                        + "(REPLACE) and B/RegistryPolicy (MERGE). A REPLACE registry policy is owned whole by one "
                        + "construct, so it must be the only RegistryPolicy of its account and region; use MERGE in "
                        + "every stack instead");
    }

    @Test
    void twoPoliciesInOneStackAreAnError() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        RegistryPolicy.of(stack);

        assertThatThrownBy(() -> new RegistryPolicy(stack, "Second", RegistryPolicyProps.builder().build()))
                .hasMessage("Stack Stack already has registry policy Stack/RegistryPolicy: a stack has one; add "
                        + "statements to it with RegistryPolicy.of(scope)");
    }

    @Test
    void mergePoliciesOfTwoStacksInOneRegistryEachOwnTheirStatements() {
        App app = TestApps.bareApp();
        RegistryPolicy a = RegistryPolicy.of(new Stack(app, "A", StackProps.builder().env(TestApps.ENV).build()));

        assertThatCode(() -> RegistryPolicy.of(new Stack(app, "B", StackProps.builder().env(TestApps.ENV).build())))
                .doesNotThrowAnyException();
        assertThat(a.getMode()).isEqualTo(RegistryPolicyMode.MERGE);
    }

    @Test
    void anEmptyReplacePolicyFailsSynthesis() {
        App app = TestApps.bareApp();
        new RegistryPolicy(new Stack(app, "Stack"), "Policy", RegistryPolicyProps.builder().mode(RegistryPolicyMode.REPLACE).build());

        assertThatThrownBy(app::synth).hasMessageContaining("RegistryPolicy Stack/Policy (REPLACE) has no statements, "
                + "and ECR refuses an empty registry policy");
    }

    @Test
    void aSidUsedTwiceIsAnError() {
        RegistryPolicy policy = RegistryPolicy.of(new Stack(TestApps.bareApp(), "Stack"));
        PolicyStatement statement = PolicyStatement.Builder.create().sid("Same").actions(List.of("ecr:CreateRepository"))
                .principals(List.of(new AccountPrincipal("111111111111"))).resources(List.of("*")).build();
        policy.addStatements(statement);

        assertThatThrownBy(() -> policy.addStatements(statement))
                .hasMessage("RegistryPolicy Stack/RegistryPolicy: Sid 'Same' is already used by another statement of "
                        + "this policy; give each statement its own Sid");
    }

    @Test
    void aBadReplicationSourceAccountOrPrefixIsRefused() {
        RegistryPolicy policy = RegistryPolicy.of(new Stack(TestApps.bareApp(), "Stack"));

        assertThatThrownBy(() -> policy.allowReplicationFrom("2222"))
                .hasMessage("RegistryPolicy.allowReplicationFrom: sourceAccount '2222' is invalid: expected a 12-digit "
                        + "AWS account ID");
        assertThatThrownBy(() -> policy.allowPullThroughCache("Quay", List.of()))
                .hasMessageStartingWith("RegistryPolicy.allowPullThroughCache: repositoryPrefix 'Quay' is invalid");
    }
}
