package io.github.pullthroughcache;

import io.github.pullthroughcache.operations.ImageEvictorProps;
import io.github.pullthroughcache.operations.ImageEvictor;
import io.github.pullthroughcache.operations.ImageEvictorOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.registry.AppliedFor;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RepositoryCreationTemplate;
import io.github.pullthroughcache.registry.RepositoryCreationTemplateProps;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TemplateJson;
import io.github.pullthroughcache.testing.TestApps;
import io.github.pullthroughcache.testing.TestVpcs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.sns.Topic;

/**
 * The day-2 parts of a cache, all on (eviction, archive, removal on destroy, credential check with a topic, dashboard
 * with a temporary NAT gateway): synthesized once with cdk-nag, and a plain cache beside it. Errors on apps of their own.
 */
class DayTwoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:" + "b".repeat(64);

    private static Synth synth;
    private static Template template;
    private static JsonNode json;
    private static Template plain;
    private static PullThroughCache cache;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "DayTwo", StackProps.builder().env(TestApps.ENV).build());
        UpstreamCredentialSecret dockerHub = new UpstreamCredentialSecret(stack, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("me").build());
        cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .vpc(TestVpcs.publicAndIsolated(stack, "Vpc"))
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.dockerHub(dockerHub.getSecret())))
                .creationTemplate(CreationTemplateOptions.builder().archiveUnpulledAfter(Duration.days(180)).build())
                .temporaryNat(true)
                .warm(true)
                .evictUnpulledAfter(Duration.days(90))
                .evictionOptions(ImageEvictorOptions.builder().deleteEmptyRepositories(true).build())
                .removeCachedRepositoriesOnDestroy(true)
                .validateCredentials(true)
                .alarmTopic(Topic.fromTopicArn(stack, "Alarms", "arn:aws:sns:eu-west-1:111111111111:cache-alarms"))
                .dashboard(true)
                .build());
        cache.imageUri("public.ecr.aws/nginx/nginx:1.27");
        cache.imageUri("nginx@" + DIGEST);
        // a rule added after the cache was made is covered too
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());
        cache.warm("quay.io/prometheus/prometheus:v3.0.0");

        Stack other = new Stack(app, "Plain", StackProps.builder().env(software.amazon.awscdk.Environment.builder()
                .account("222222222222").region("eu-west-1").build()).build());
        new PullThroughCache(other, "Cache", PullThroughCacheProps.builder().endpoints(false).build())
                .imageUri("public.ecr.aws/nginx/nginx:1.27");

        synth = Synth.of(TestApps.withNagPacks(app));
        template = synth.template("DayTwo");
        json = synth.json("DayTwo");
        plain = synth.template("Plain");
    }

    @Test
    void everyPartIsOffByDefault() {
        for (String type : List.of("AWS::CloudWatch::Dashboard", "AWS::CloudWatch::Alarm", "AWS::ECR::PullTimeUpdateExclusion",
                "Custom::EcrCachedRepositories", "Custom::EcrCredentialCheck", "AWS::Scheduler::Schedule")) {
            plain.resourceCountIs(type, 0);
        }
        // the warmer's metrics are published without a dashboard (METRICS_CACHE): see CacheModelTest
        assertThat(plain.toJSON().toString()).doesNotContain("sinceImagePulled", "pull-through-cache:created-for");
    }

    @Test
    void everyResourceMatchesItsCloudFormationSchema() {
        assertThat(CfnSchemas.violations(json)).isEmpty();
        assertThat(CfnSchemas.violations(synth.json("Plain"))).isEmpty();
    }

    // eviction

    @Test
    void theEvictorRunsDailyWithTheCachesPrefixesAgeAndTheImagesInUse() throws Exception {
        JsonNode input = scheduleInput("Deletes the images");
        assertThat(input.path("Prefixes")).hasSize(3);
        assertThat(input.path("Prefixes").toString()).contains("ecr-public", "docker-hub", "quay");
        assertThat(input.path("MaxAgeDays").asInt()).isEqualTo(90);
        assertThat(input.path("DeleteEmptyRepositories").asBoolean()).isTrue();
        assertThat(input.path("InUse")).isEqualTo(JSON.valueToTree(Map.of(
                "ecr-public/nginx/nginx", List.of("1.27"),
                "docker-hub/library/nginx", List.of(DIGEST),
                "quay/prometheus/prometheus", List.of("v3.0.0"))));
        template.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(1 day)",
                "FlexibleTimeWindow", Map.of("Mode", "OFF"),
                "Target", Match.objectLike(Map.of("RetryPolicy", Match.objectLike(Map.of("MaximumRetryAttempts", 0)))))));
    }

    @Test
    void theEvictorMayDeleteImagesAndRepositoriesUnderThePrefixesOnly() {
        JsonNode statements = policyOf("image-evictor/index.handler");
        assertThat(statement(statements, "ListRepositories").path("Action").asText()).isEqualTo("ecr:DescribeRepositories");
        JsonNode evict = statement(statements, "EvictUnderPrefixes");
        assertThat(texts(evict.path("Action"))).containsExactlyInAnyOrder("ecr:DescribeImages", "ecr:BatchDeleteImage",
                "ecr:DeleteRepository");
        assertThat(evict.path("Resource")).hasSize(3);
        for (JsonNode resource : evict.path("Resource")) {
            assertThat(resource.toString()).containsPattern(":repository/(ecr-public|docker-hub|quay)/\\*");
        }
        // nothing else may delete: no other statement has a write action on ECR
        assertThat(statements.toString()).doesNotContain("ecr:*", "ecr:Delete\"", "ecr:PutImage");
    }

    @Test
    void theWarmersRoleIsExcludedFromPullTimeUpdatesOnce() {
        template.resourceCountIs("AWS::ECR::PullTimeUpdateExclusion", 1);
        Capture role = new Capture();
        template.hasResourceProperties("AWS::ECR::PullTimeUpdateExclusion", Map.of("PrincipalArn",
                Map.of("Fn::GetAtt", List.of(role, "Arn"))));
        assertThat(TemplateJson.logicalIds(json, "AWS::IAM::Role").stream()
                .filter(id -> id.startsWith("CacheWarmerHandlerRole"))).containsExactly(role.asString());
    }

    @Test
    void archivingWhileEvictingWarnsThatTheAppsImagesMayBeArchived() {
        software.amazon.awscdk.assertions.Annotations.fromStack(Stack.of(cache))
                .hasWarning("/DayTwo/Cache", Match.stringLikeRegexp(".*archives images not pulled for 180 days and evicts.*404.*"));
    }

    @Test
    void theCreationTemplatesArchiveUnpulledImagesInALastRule() throws Exception {
        List<JsonNode> policies = new ArrayList<>();
        for (JsonNode resource : json.path("Resources")) {
            if (resource.path("Type").asText().equals("AWS::ECR::RepositoryCreationTemplate")) {
                policies.add(JSON.readTree(resource.path("Properties").path("LifecyclePolicy").asText()));
            }
        }
        assertThat(policies).hasSize(3);
        for (JsonNode policy : policies) {
            JsonNode rules = policy.path("rules");
            JsonNode last = rules.get(rules.size() - 1);
            assertThat(last.path("rulePriority").asInt()).isEqualTo(2);
            assertThat(last.path("selection")).isEqualTo(JSON.readTree("{\"tagStatus\":\"any\",\"countType\":"
                    + "\"sinceImagePulled\",\"countUnit\":\"days\",\"countNumber\":180}"));
            assertThat(last.path("action")).isEqualTo(JSON.readTree("{\"type\":\"transition\",\"targetStorageClass\":\"archive\"}"));
        }
    }

    // removal on destroy

    @Test
    void theCreatedRepositoriesAreTaggedForTheCacheAndOnlyThoseMayBeDeleted() {
        String owner = ConstructIds.owner(cache);
        template.allResourcesProperties("AWS::ECR::RepositoryCreationTemplate", Match.objectLike(Map.of(
                "ResourceTags", Match.arrayWith(List.of(Map.of("Key", "pull-through-cache:created-for", "Value", owner))))));
        template.hasResourceProperties("Custom::EcrCachedRepositories", Match.objectLike(Map.of(
                "Prefixes", List.of("ecr-public", "docker-hub", "quay"),
                "TagKey", "pull-through-cache:created-for",
                "TagValue", owner)));
        JsonNode delete = statement(policyOf("cached-repository-remover/index.handler"), "DeleteTaggedRepositories");
        assertThat(delete.path("Action").asText()).isEqualTo("ecr:DeleteRepository");
        assertThat(delete.path("Condition").path("StringEquals").path("aws:ResourceTag/pull-through-cache:created-for")
                .asText()).isEqualTo(owner);
        assertThat(delete.path("Resource")).hasSize(3);
        assertThat(delete.path("Resource").toString()).doesNotContain("repository/*\"");
        JsonNode stackStatus = statement(policyOf("cached-repository-remover/index.handler"), "OwnStackStatus");
        assertThat(stackStatus.path("Resource").toString()).contains("AWS::StackId");
    }

    @Test
    void theRulesGoBeforeTheRemoverDeletesTheirRepositories() {
        String remover = TemplateJson.logicalIds(json, "Custom::EcrCachedRepositories").get(0);
        for (String rule : TemplateJson.logicalIds(json, "AWS::ECR::PullThroughCacheRule")) {
            assertThat(TemplateJson.dependsOn(json, rule)).as(rule).contains(remover);
        }
    }

    // credentials

    @Test
    void theCredentialRuleIsCheckedAtDeploymentAndHourlyWithTheValidateActionOnly() throws Exception {
        template.hasResourceProperties("Custom::EcrCredentialCheck", Match.objectLike(Map.of("Prefixes", List.of("docker-hub"))));
        assertThat(scheduleInput("Checks the upstream credentials").path("Prefixes").toString()).isEqualTo("[\"docker-hub\"]");
        template.hasResourceProperties("AWS::Scheduler::Schedule", Match.objectLike(Map.of(
                "ScheduleExpression", "rate(1 hour)")));
        JsonNode statements = policyOf("credential-validator/index.handler");
        JsonNode validate = statement(statements, "ValidateRules");
        assertThat(validate.path("Action").asText()).isEqualTo("ecr:ValidatePullThroughCacheRule");
        // the Logs statement and this one, nothing else
        assertThat(statements).hasSize(2);
    }

    @Test
    void aRuleWithACredentialHasAnAlarmThatNotifiesTheTopic() {
        template.resourceCountIs("AWS::CloudWatch::Alarm", 1);
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "Namespace", "PullThroughCache",
                "MetricName", "CredentialValid",
                "Statistic", "Minimum",
                "Period", 3600,
                "Threshold", 1,
                "ComparisonOperator", "LessThanThreshold",
                "EvaluationPeriods", 2,
                "DatapointsToAlarm", 2,
                "TreatMissingData", "breaching")));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Match.objectLike(Map.of(
                "AlarmActions", List.of("arn:aws:sns:eu-west-1:111111111111:cache-alarms"),
                "OKActions", List.of("arn:aws:sns:eu-west-1:111111111111:cache-alarms"),
                "Dimensions", Match.arrayWith(List.of(Map.of("Name", "Rule", "Value", "docker-hub"))))));
        assertThat(cache.getCredentialCheck().getAlarms()).containsOnlyKeys("docker-hub");
    }

    @Test
    void theHandlersNameTheCacheForTheirMetrics() {
        for (String handler : List.of("image-evictor/index.handler", "credential-validator/index.handler",
                "cache-warmer/index.handler")) {
            template.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of("Handler", handler,
                    "Environment", Map.of("Variables", Match.objectLike(Map.of("METRICS_CACHE",
                            Map.of("Fn::Join", List.of("", List.of(Map.of("Ref", "AWS::StackName"), "/Cache")))))))));
        }
    }

    // dashboard

    @Test
    void theDashboardHasARowPerConcernWithTitledWidgetsAndUnits() throws Exception {
        assertThat(cache.getDashboard()).isNotNull();
        template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
        JsonNode body = dashboardBody();
        List<String> titles = new ArrayList<>();
        List<String> headings = new ArrayList<>();
        for (JsonNode widget : body.path("widgets")) {
            if (widget.path("type").asText().equals("text")) {
                headings.add(widget.path("properties").path("markdown").asText().split("\n")[0]);
                assertThat(widget.path("width").asInt()).isEqualTo(24);
            } else {
                titles.add(widget.path("properties").path("title").asText());
                assertThat(widget.path("properties").path("yAxis").path("left").path("label").asText()).isNotEmpty();
            }
        }
        assertThat(headings).containsExactly("### Pulls", "### Warmer", "### Eviction", "### Credentials",
                "### Temporary NAT gateway");
        assertThat(titles).containsExactly(
                "Image pulls per cached repository (AWS/ECR RepositoryPullCount, per hour)",
                "Cache warmer: images per hour", "Cache warmer: bytes pulled per hour",
                "Cache warmer: runs per hour (AWS/States executions)",
                "Evictor: images and repositories deleted per hour", "Evictor: bytes freed per hour",
                "Upstream credentials: 1 works, 0 does not (ECR ValidatePullThroughCacheRule, hourly)",
                "Temporary NAT gateway: bytes per hour");
        // each row sits below the one before
        List<Integer> rows = new ArrayList<>();
        for (JsonNode widget : body.path("widgets")) {
            if (widget.path("type").asText().equals("text")) {
                rows.add(widget.path("y").asInt());
            }
        }
        assertThat(rows).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theDashboardsMetricsAreThoseTheHandlersAndAwsPublish() throws Exception {
        String body = dashboardBody().toString();
        // the warmer's runs, by outcome, from its state machine's AWS/States metrics
        for (String metric : List.of("ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")) {
            assertThat(body).contains("[\"AWS/States\",\"" + metric + "\",\"StateMachineArn\"");
        }
        // one search per rule prefix, those added later included
        for (String prefix : List.of("ecr-public", "docker-hub", "quay")) {
            assertThat(body).contains("SEARCH('{AWS/ECR,RepositoryName} MetricName=\\\"RepositoryPullCount\\\" RepositoryName="
                    + prefix + "', 'Sum', 3600)");
        }
        for (String metric : List.of("ImagesWarmed", "ImagesFailed", "ImagesDeferred", "BytesWarmed", "ImagesEvicted",
                "BytesFreed", "RepositoriesDeleted", "CredentialValid")) {
            assertThat(body).contains("[\"PullThroughCache\",\"" + metric + "\",\"Cache\"");
        }
        assertThat(body).contains("[\"AWS/NATGateway\",\"BytesOutToDestination\",\"NatGatewayId\"",
                "[\"AWS/NATGateway\",\"BytesInFromDestination\",\"NatGatewayId\"");
    }

    // errors

    @Test
    void anAgeThatIsNotWholeDaysIsRefusedNamingTheProperty() {
        Stack stack = new Stack(TestApps.newApp(), "Bad");
        assertThatThrownBy(() -> new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .endpoints(false).evictUnpulledAfter(Duration.hours(36)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evictUnpulledAfter 1 day 12 hours is invalid")
                .hasMessageContaining("whole number of days");
    }

    @Test
    void eviction_isRefusedForARootRule() {
        Stack stack = new Stack(TestApps.newApp(), "Bad");
        PullThroughCache root = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .endpoints(false).upstreams(List.of()).evictUnpulledAfter(Duration.days(30)).build());
        assertThatThrownBy(() -> root.addRule(PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.ecrPrivate("222222222222", "eu-west-1")).repositoryPrefix("ROOT").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rule 'ROOT'")
                .hasMessageContaining("leave evictUnpulledAfter out");
    }

    @Test
    void archiveIsRefusedBesideARuleForAnyTag() {
        Stack stack = new Stack(TestApps.newApp(), "Bad");
        assertThatThrownBy(() -> new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .endpoints(false)
                .creationTemplate(CreationTemplateOptions.builder()
                        .lifecycleRules(List.of(LifecycleRule.builder().tagStatus(TagStatus.ANY).maxImageCount(10).build()))
                        .archiveUnpulledAfter(Duration.days(90)).build())
                .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lifecycleRules[0] is a rule for tagStatus ANY, and archiveUnpulledAfter makes one too");
    }

    @Test
    void aTemplateOfItsOwnArchivesInItsOnlyRuleAndRefusesARuleForAnyTagAddedLater() throws Exception {
        Stack stack = new Stack(TestApps.newApp(), "Template", StackProps.builder().env(TestApps.ENV).build());
        RepositoryCreationTemplate archiving = new RepositoryCreationTemplate(stack, "Template",
                RepositoryCreationTemplateProps.builder().prefix("team").appliedFor(List.of(AppliedFor.PULL_THROUGH_CACHE))
                        .archiveUnpulledAfter(Duration.days(30)).build());
        JsonNode rules = JSON.valueToTree(Template.fromStack(stack).findResources("AWS::ECR::RepositoryCreationTemplate")
                .values().iterator().next().get("Properties")).path("LifecyclePolicy");
        assertThat(JSON.readTree(rules.asText()).path("rules")).isEqualTo(JSON.readTree("[{\"rulePriority\":1,"
                + "\"description\":\"Archive images not pulled for 30 days\",\"selection\":{\"tagStatus\":\"any\","
                + "\"countType\":\"sinceImagePulled\",\"countUnit\":\"days\",\"countNumber\":30},"
                + "\"action\":{\"type\":\"transition\",\"targetStorageClass\":\"archive\"}}]"));
        assertThatThrownBy(() -> archiving.addLifecycleRule(LifecycleRule.builder().maxImageCount(5).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a rule for tagStatus ANY, and archiveUnpulledAfter makes one too");
        assertThatThrownBy(() -> new RepositoryCreationTemplate(stack, "Half", RepositoryCreationTemplateProps.builder()
                .prefix("half").appliedFor(List.of(AppliedFor.PULL_THROUGH_CACHE))
                .archiveUnpulledAfter(Duration.hours(12)).build()))
                .hasMessageContaining("archiveUnpulledAfter 12 hours is invalid");
    }

    @Test
    void anEvictorCreatedBeforeARuleEvictsUnderItsPrefixToo() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Late", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache late = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder().endpoints(false).build());
        new ImageEvictor(stack, "Evictor", ImageEvictorProps.builder().cache(late).unpulledFor(Duration.days(30)).build());
        late.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());
        late.addCopiedRegistry(UpstreamRegistry.copied("mcr.microsoft.com"), null);
        late.imageUri("mcr.microsoft.com/dotnet/runtime:8.0");
        JsonNode template = Synth.of(app).json("Late");
        String schedule = template.path("Resources").path(TemplateJson.logicalIds(template, "AWS::Scheduler::Schedule")
                .get(0)).path("Properties").path("Target").path("Input").toString();
        // the prefixes and the images kept, those of the rule and copied registry added after it included
        assertThat(schedule).contains("\\\"ecr-public\\\"", "\\\"quay\\\"", "\\\"mcr\\\"", "mcr/dotnet/runtime");
    }

    private static JsonNode dashboardBody() throws Exception {
        for (JsonNode resource : json.path("Resources")) {
            if (resource.path("Type").asText().equals("AWS::CloudWatch::Dashboard")) {
                StringBuilder text = new StringBuilder();
                for (JsonNode part : resource.path("Properties").path("DashboardBody").path("Fn::Join").get(1)) {
                    // a reference (the stack name, the NAT gateway) stands in as a plain word
                    text.append(part.isTextual() ? part.asText() : "REF");
                }
                return JSON.readTree(text.toString());
            }
        }
        throw new AssertionError("no dashboard");
    }

    private static JsonNode scheduleInput(String descriptionStart) throws Exception {
        for (JsonNode resource : json.path("Resources")) {
            if (resource.path("Type").asText().equals("AWS::Scheduler::Schedule")
                    && resource.path("Properties").path("Description").asText().startsWith(descriptionStart)) {
                return JSON.readTree(resource.path("Properties").path("Target").path("Input").asText());
            }
        }
        throw new AssertionError("no schedule " + descriptionStart);
    }

    /** The statements of the managed policy of the function with that handler. */
    private static JsonNode policyOf(String handler) {
        String role = null;
        for (JsonNode resource : json.path("Resources")) {
            if (resource.path("Properties").path("Handler").asText().equals(handler)) {
                role = resource.path("Properties").path("Role").path("Fn::GetAtt").get(0).asText();
            }
        }
        for (JsonNode resource : json.path("Resources")) {
            if (resource.path("Type").asText().equals("AWS::IAM::ManagedPolicy")
                    && resource.path("Properties").path("Roles").toString().contains("\"" + role + "\"")) {
                return resource.path("Properties").path("PolicyDocument").path("Statement");
            }
        }
        throw new AssertionError("no policy of " + handler);
    }

    private static JsonNode statement(JsonNode statements, String sid) {
        for (JsonNode statement : statements) {
            if (statement.path("Sid").asText().equals(sid)) {
                return statement;
            }
        }
        throw new AssertionError("no statement " + sid + " in " + statements);
    }

    private static List<String> texts(JsonNode node) {
        List<String> values = new ArrayList<>();
        node.forEach(value -> values.add(value.asText()));
        return values;
    }
}
