package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerProps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Capture;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;

/** A warmer of a cache with a schedule, and one of plain rules without: synthesized once. Errors on apps of their own. */
class CacheWarmerTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Synth synth;
    private static Template cached;
    private static Template rules;
    private static PullThroughCache cache;
    private static CacheWarmer warmer;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Cached", StackProps.builder().env(TestApps.ENV).build());
        cache = cacheOf(stack, List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES));
        warmer = new CacheWarmer(stack, "Warmer", CacheWarmerProps.builder()
                .cache(cache)
                .images(List.of("public.ecr.aws/nginx/nginx:1.27", "quay.io/prometheus/prometheus@" + DIGEST))
                .schedule(ScheduleExpression.rate(Duration.days(1)))
                .build());

        Stack plain = new Stack(app, "Rules", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCacheRule k8s = new PullThroughCacheRule(plain, "K8s", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.KUBERNETES).repositoryPrefix("team/k8s").build());
        new CacheWarmer(plain, "Warmer", CacheWarmerProps.builder()
                .rules(List.of(k8s))
                .images(List.of("registry.k8s.io/pause:3.10"))
                .platforms(List.of("linux/arm64"))
                .failOnError(true)
                .concurrency(2)
                .build());

        synth = Synth.of(TestApps.withNagPacks(app));
        cached = synth.template("Cached");
        rules = synth.template("Rules");
    }

    @Test
    void aScheduleWhoseImageListWouldPassStartExecutionsInputIsRefusedAtSynthNamingTheCount() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Many", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache many = cacheOf(stack, List.of(UpstreamRegistry.ECR_PUBLIC));
        // about 230 bytes an entry: 1,200 of them are about 276,000 bytes
        String name = "public.ecr.aws/a-team-with-a-long-name/an-image-with-a-name-long-enough-to-fill-the-list-";
        List<String> images = java.util.stream.IntStream.range(0, 1200).mapToObj(i -> name + i + ":v1.2.3").toList();
        CacheWarmer scheduled = new CacheWarmer(stack, "Warmer", CacheWarmerProps.builder()
                .cache(many).images(images.subList(0, 1000)).schedule(ScheduleExpression.rate(Duration.days(1))).build());
        // a list that fits: no error
        assertThat(scheduled.getNode().validate()).isEmpty();
        // images added after the construct are counted too
        scheduled.addImages(images.subList(1000, 1200));

        assertThat(scheduled.getNode().validate()).singleElement().asString()
                .startsWith("images: 1,200 images make a list of about 2")
                .contains("Step Functions takes 262,144 bytes at most, its settings included (StartExecution)")
                .contains("give this run fewer images (at most about 1,0");
        // without a schedule, a run of any size starts with its list in S3
        Stack unscheduled = new Stack(TestApps.newApp(), "Unscheduled", StackProps.builder().env(TestApps.ENV).build());
        CacheWarmer atDeployment = new CacheWarmer(unscheduled, "Warmer", CacheWarmerProps.builder()
                .cache(cacheOf(unscheduled, List.of(UpstreamRegistry.ECR_PUBLIC))).images(images).build());
        assertThat(atDeployment.getNode().validate()).isEmpty();
    }

    private static PullThroughCache cacheOf(Stack stack, List<UpstreamRegistry> upstreams) {
        IVpc vpc = Vpc.fromVpcAttributes(stack, "Vpc", VpcAttributes.builder()
                .vpcId("vpc-0123456789abcdef0")
                .availabilityZones(List.of("eu-west-1a"))
                .isolatedSubnetIds(List.of("subnet-0123456789abcdef0"))
                .build());
        return new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .vpc(vpc).endpoints(false).warm(false).upstreams(upstreams).build());
    }

    @Test
    void theFunctionRunsOutsideAnyVpcWithTheRegistryUrlAndLambdasLongestTimeout() throws Exception {
        cached.resourceCountIs("AWS::Lambda::Function", 1);
        cached.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", "cache-warmer/index.handler",
                "Runtime", "nodejs22.x",
                "Timeout", 900,
                "MemorySize", 512,
                "VpcConfig", Match.absent(),
                "Environment", Map.of("Variables", Map.of("REGISTRY_URL", Match.anyValue()))));
        JsonNode function = only(synth.json("Cached"), "AWS::Lambda::Function");
        assertThat(function.path("Properties").path("Environment").toString())
                .contains("https://111111111111.dkr.ecr.eu-west-1.", "AWS::URLSuffix");
    }

    @Test
    void theRoleMayTakeATokenAndPullOnlyUnderThePrefixesOfTheWarmedImages() {
        cached.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "RegistryToken", "Effect", "Allow", "Action", "ecr:GetAuthorizationToken", "Resource", "*"),
                Match.objectLike(Map.of("Sid", "Logs")),
                // with the first image: a statement without resources is refused
                Map.of("Sid", "PullThroughCache", "Effect", "Allow",
                        "Action", List.of("ecr:BatchGetImage", "ecr:BatchImportUpstreamImage",
                                "ecr:CreateRepository", "ecr:GetDownloadUrlForLayer"),
                        "Resource", List.of(repositoryArn("ecr-public"), repositoryArn("quay")))))));
        rules.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Match.objectLike(Map.of("Sid", "PullThroughCache",
                        "Resource", repositoryArn("team/k8s"))))))));
        cached.resourceCountIs("AWS::IAM::Policy", 0);
    }

    private static String repositoryArn(String prefix) {
        return "arn:aws:ecr:eu-west-1:111111111111:repository/" + prefix + "/*";
    }

    @Test
    void aRunStartsItsStateMachineWhichAloneInvokesTheFunctionAndNoFunctionInvokesItself() {
        Capture machine = new Capture();
        cached.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "StartRun", "Effect", "Allow", "Action", "states:StartExecution",
                        "Resource", Map.of("Ref", machine)))),
                "Roles", List.of(Match.objectLike(Map.of("Ref", Match.stringLikeRegexp("WarmerHandlerRole.*"))))));
        assertThat(machine.asString()).startsWith("WarmerRun");
        cached.hasResource("Custom::EcrCacheWarmer", Map.of(
                "Properties", Match.objectLike(Map.of("ServiceTimeout", "3600",
                        "StateMachine", Map.of("Ref", machine.asString()))),
                "DependsOn", Match.arrayWith(List.of(Match.stringLikeRegexp("WarmerRunStartPolicy.*")))));
        // the state machine's role invokes the function; nothing may invoke it but the state machine, EventBridge's
        // rule for a stopped run, and CloudFormation
        cached.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement",
                Match.arrayWith(List.of(Map.of("Sid", "InvokeImageFunction", "Effect", "Allow",
                        "Action", "lambda:InvokeFunction",
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^WarmerHandler"), "Arn")))))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("^WarmerRunRole")))));
        String template = synth.json("Cached").toString();
        assertThat(template).doesNotContain("ssm:PutParameter", "ContinueRun", "DEFERRED_PARAMETER");
        assertThat(cached.findResources("AWS::IAM::ManagedPolicy", Map.of("Properties", Map.of("Roles",
                List.of(Map.of("Ref", Match.stringLikeRegexp("^WarmerHandlerRole")))))).toString())
                .doesNotContain("lambda:InvokeFunction");
    }

    /** The ARN pattern of the run's bucket's objects under a prefix, as the template writes it. */
    private static Map<String, Object> objectsOf(String prefix) {
        return Map.of("Fn::Join", List.of("", List.of(
                Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^WarmerRunResults"), "Arn")), prefix)));
    }

    @Test
    void theDefinitionMapsTheImagesRetriesAThrottledRegistryAndAlwaysAnswers() throws Exception {
        JsonNode machine = only(synth.json("Rules"), "AWS::StepFunctions::StateMachine").path("Properties");
        StringBuilder text = new StringBuilder();
        for (JsonNode part : machine.path("DefinitionString").path("Fn::Join").path(1)) {
            text.append(part.isTextual() ? part.asText() : "arn:function");
        }
        JsonNode definition = JSON.readTree(text.toString());
        JsonNode states = definition.path("States");
        // inside the hour CloudFormation waits, with time left for the answer of a timeout
        assertThat(definition.path("TimeoutSeconds").asInt()).isEqualTo(3000);
        // a list the function wrote to the bucket goes to the distributed Map at once
        assertThat(definition.path("StartAt").asText()).isEqualTo("Listed in S3");
        JsonNode listed = states.path("Listed in S3").path("Choices").path(0);
        assertThat(listed.path("Variable").asText()).isEqualTo("$.ImageList");
        assertThat(listed.path("IsPresent").asBoolean()).isTrue();
        assertThat(listed.path("Next").asText()).isEqualTo("Images (distributed)");
        assertThat(states.path("Listed in S3").path("Default").asText()).isEqualTo("Count images");
        assertThat(states.path("Count images").path("Parameters").path("Count.$").asText())
                .isEqualTo("States.ArrayLength($.Images)");
        JsonNode choice = states.path("Inline or distributed").path("Choices").path(0);
        assertThat(choice.path("NumericGreaterThan").asInt()).isEqualTo(400);
        // a long list in the input (a schedule's) is written to the bucket first
        assertThat(choice.path("Next").asText()).isEqualTo("Write image list");
        JsonNode writeList = states.path("Write image list");
        assertThat(writeList.path("Parameters").toString()).isEqualTo(
                "{\"Action\":\"list\",\"Images.$\":\"$.Images\",\"Execution.$\":\"$$.Execution.Name\"}");
        assertThat(writeList.path("ResultPath").asText()).isEqualTo("$.ImageList");
        assertThat(writeList.path("Next").asText()).isEqualTo("Images (distributed)");
        assertThat(writeList.path("Catch").path(0).path("Next").asText()).isEqualTo("Answer failure");
        JsonNode inline = states.path("Images");
        JsonNode distributed = states.path("Images (distributed)");
        assertThat(inline.path("ItemsPath").asText()).isEqualTo("$.Images");
        assertThat(inline.has("ResultWriter")).isFalse();
        // the distributed Map reads the list from the bucket and writes its results there, its output their manifest
        assertThat(distributed.has("ItemsPath")).isFalse();
        assertThat(distributed.path("ItemReader").toString()).isEqualTo("{\"Resource\":\"arn:arn:function:states:::s3:"
                + "getObject\",\"ReaderConfig\":{\"InputType\":\"JSON\"},\"Parameters\":{\"Bucket\":\"arn:function\","
                + "\"Key.$\":\"$.ImageList.Key\"}}");
        assertThat(distributed.path("ResultWriter").toString()).isEqualTo("{\"Resource\":\"arn:arn:function:states:::s3:"
                + "putObject\",\"Parameters\":{\"Bucket\":\"arn:function\",\"Prefix\":\"runs/results\"},"
                + "\"WriterConfig\":{\"OutputType\":\"JSON\",\"Transformation\":\"COMPACT\"}}");
        assertThat(distributed.path("ResultPath").asText()).isEqualTo("$.Results");
        for (JsonNode map : List.of(inline, distributed)) {
            assertThat(map.path("Type").asText()).isEqualTo("Map");
            // the Rules warmer's imageConcurrency, the default
            assertThat(map.path("MaxConcurrency").asInt()).isEqualTo(4);
            assertThat(map.path("ItemSelector").path("Image.$").asText()).isEqualTo("$$.Map.Item.Value");
            assertThat(map.path("Next").asText()).isEqualTo("Answer");
            assertThat(map.path("Catch").path(0).path("Next").asText()).isEqualTo("Answer failure");
        }
        assertThat(inline.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText()).isEqualTo("INLINE");
        assertThat(distributed.path("ItemProcessor").path("ProcessorConfig").path("Mode").asText()).isEqualTo("DISTRIBUTED");
        JsonNode process = inline.path("ItemProcessor").path("States").path("Process image");
        assertThat(process.path("Resource").asText()).isEqualTo("arn:function");
        assertThat(process.path("Retry").toString()).contains("\"RegistryThrottled\"", "\"RegistryUnavailable\"",
                "\"Lambda.TooManyRequestsException\"", "\"Lambda.ServiceException\"");
        // after aws-cdk's own retrier of Lambda's service exceptions
        JsonNode throttled = process.path("Retry").path(1);
        assertThat(throttled.path("ErrorEquals").path(0).asText()).isEqualTo("RegistryThrottled");
        assertThat(throttled.path("BackoffRate").asInt()).isEqualTo(2);
        assertThat(throttled.path("MaxAttempts").asInt()).isEqualTo(4);
        assertThat(process.path("Catch").path(0).path("ErrorEquals").toString()).isEqualTo("[\"States.ALL\"]");
        assertThat(process.path("Catch").path(0).path("Next").asText()).isEqualTo("Image failed");
        assertThat(states.path("Answer").path("Parameters").path("Action").asText()).isEqualTo("answer");
        assertThat(states.path("Answer failure").path("Parameters").path("Error.$").asText()).isEqualTo("$.Error");
        assertThat(states.path("RunFailed").path("Type").asText()).isEqualTo("Fail");
        // what no Catch catches (a timeout, an abort) is answered by the function, through EventBridge
        Map<String, Object> pattern = Map.of("source", List.of("aws.states"),
                "detail-type", List.of("Step Functions Execution Status Change"),
                "detail", Map.of("status", List.of("FAILED", "TIMED_OUT", "ABORTED"),
                        "stateMachineArn", List.of(Map.of("Ref", Match.stringLikeRegexp("^WarmerRun")))));
        Object target = Match.objectLike(Map.of("Arn", Map.of("Fn::GetAtt",
                List.of(Match.stringLikeRegexp("^WarmerHandler"), "Arn"))));
        rules.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", pattern, "Targets", List.of(target)));
        // the distributed Map's own child executions, in a managed policy the runs wait for
        rules.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "StartChildExecutions", "Effect", "Allow", "Action", "states:StartExecution",
                        "Resource", Map.of("Ref", Match.stringLikeRegexp("^WarmerRun"))),
                Match.objectLike(Map.of("Sid", "WatchChildExecutions",
                        "Action", List.of("states:DescribeExecution", "states:StopExecution"))),
                // ItemReader and ResultWriter, on the run's bucket under their prefixes only
                Map.of("Sid", "ReadImageLists", "Effect", "Allow", "Action", "s3:GetObject",
                        "Resource", objectsOf("/runs/images/*")),
                Map.of("Sid", "WriteResults", "Effect", "Allow", "Action", List.of("s3:AbortMultipartUpload",
                        "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"),
                        "Resource", objectsOf("/runs/results/*")))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("^WarmerRunRole")))));
        // the function writes the lists and reads the results, nothing else of the bucket
        rules.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "WriteImageLists", "Effect", "Allow", "Action", "s3:PutObject",
                        "Resource", objectsOf("/runs/images/*")),
                Map.of("Sid", "ReadResults", "Effect", "Allow", "Action", "s3:GetObject",
                        "Resource", objectsOf("/runs/results/*")))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("^WarmerHandlerRole")))));
        rules.hasResourceProperties("AWS::Lambda::Function", Match.objectLike(Map.of("Environment", Map.of("Variables",
                Match.objectLike(Map.of("RUN_BUCKET", Map.of("Ref", Match.stringLikeRegexp("^WarmerRunResults")),
                        "DISTRIBUTED_ABOVE", "400"))))));
        // private, TLS only, S3-managed keys, expiring run objects, retained
        rules.resourceCountIs("AWS::S3::Bucket", 1);
        rules.hasResource("AWS::S3::Bucket", Map.of("DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain",
                "Properties", Map.of(
                        "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                                "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                        "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                                "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                        "LifecycleConfiguration", Map.of("Rules", List.of(Map.of("Id", "ExpireRunObjects",
                                "Status", "Enabled", "ExpirationInDays", 30,
                                "AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1)))))));
        rules.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Match.objectLike(Map.of("Effect", "Deny", "Action", "s3:*",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))));
        rules.hasResource("Custom::EcrCacheWarmer", Map.of("DependsOn",
                Match.arrayWith(List.of(Match.stringLikeRegexp("^WarmerRunMapRunPolicy")))));
        rules.resourceCountIs("AWS::IAM::Policy", 0);
        rules.hasResourceProperties("AWS::StepFunctions::StateMachine", Map.of("LoggingConfiguration", Map.of(
                "Level", "ALL", "IncludeExecutionData", false, "Destinations", Match.anyValue())));
    }

    @Test
    void theCustomResourceNamesEachCachedRepositoryAndWaitsForItsRules() {
        cached.hasResource("Custom::EcrCacheWarmer", Map.of(
                "Properties", Map.of(
                        "Images", List.of(
                                Map.of("image", "public.ecr.aws/nginx/nginx:1.27",
                                        "repository", "ecr-public/nginx/nginx", "reference", "1.27"),
                                Map.of("image", "quay.io/prometheus/prometheus@" + DIGEST,
                                        "repository", "quay/prometheus/prometheus", "reference", DIGEST)),
                        "Platforms", List.of("linux/amd64", "linux/arm64"),
                        "Concurrency", 4,
                        "ImageConcurrency", 4,
                        "FailOnError", false),
                "DependsOn", Match.arrayWith(List.of(
                        logicalId(cache.getRule("ecr-public")), logicalId(cache.getRule("quay"))))));
        assertThat(warmer.getImageUris()).containsExactly(
                cache.imageUri("public.ecr.aws/nginx/nginx:1.27"), cache.imageUri("quay.io/prometheus/prometheus@" + DIGEST));
        rules.hasResourceProperties("Custom::EcrCacheWarmer", Map.of(
                "Images", List.of(Map.of("image", "registry.k8s.io/pause:3.10", "repository", "team/k8s/pause",
                        "reference", "3.10")),
                "Platforms", List.of("linux/arm64"), "Concurrency", 2, "FailOnError", true));
    }

    private static String logicalId(PullThroughCacheRule rule) {
        return Stack.of(rule).getLogicalId(rule.getResource());
    }

    @Test
    void theScheduleStartsTheStateMachineWithTheSameSettingsThroughARoleThatMayDoNothingElse() throws Exception {
        cached.resourceCountIs("AWS::Scheduler::Schedule", 1);
        rules.resourceCountIs("AWS::Scheduler::Schedule", 0);
        JsonNode schedule = only(synth.json("Cached"), "AWS::Scheduler::Schedule").path("Properties");
        assertThat(schedule.path("ScheduleExpression").asText()).isEqualTo("rate(1 day)");
        assertThat(schedule.path("FlexibleTimeWindow").path("Mode").asText()).isEqualTo("OFF");
        JsonNode target = schedule.path("Target");
        assertThat(target.path("Arn").path("Ref").asText()).startsWith("WarmerRun");
        assertThat(target.path("RoleArn").path("Fn::GetAtt").path(0).asText()).startsWith("WarmerRunScheduleRole");
        assertThat(target.path("RetryPolicy").path("MaximumRetryAttempts").asInt()).isZero();
        JsonNode input = JSON.readTree(target.path("Input").asText());
        assertThat(input.path("Images").path(1).path("repository").asText()).isEqualTo("quay/prometheus/prometheus");
        assertThat(input.path("Settings").path("Platforms").toString()).isEqualTo("[\"linux/amd64\",\"linux/arm64\"]");
        assertThat(input.path("Request").size()).isZero();
        assertThat(input.has("Owner")).isFalse();

        cached.hasResourceProperties("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", Map.of("Statement",
                List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                        "Principal", Map.of("Service", "scheduler.amazonaws.com"))))));
        cached.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "StartRun", "Effect", "Allow", "Action", "states:StartExecution",
                        "Resource", Map.of("Ref", Match.stringLikeRegexp("^WarmerRun"))))),
                "Roles", List.of(Map.of("Ref", Match.stringLikeRegexp("^WarmerRunScheduleRole")))));
        // the aws-scheduler target's own grant (inline, with <function>:*) is not written
        assertThat(cached.findResources("AWS::IAM::Policy")).isEmpty();
        assertThat(warmer.getSchedule().getScheduleArn()).isNotBlank();
    }

    @Test
    void everyResourceMatchesItsCloudFormationSchema() {
        for (String stack : List.of("Cached", "Rules")) {
            assertThat(CfnSchemas.violations(synth.json(stack))).as(stack).isEmpty();
        }
    }

    private static JsonNode only(JsonNode template, String type) {
        for (JsonNode resource : template.path("Resources")) {
            if (resource.path("Type").asText().equals(type)) {
                return resource;
            }
        }
        throw new AssertionError("no " + type);
    }

    private static CacheWarmerProps.Builder quayWarmer(PullThroughCache quay) {
        return CacheWarmerProps.builder().cache(quay).images(List.of("quay.io/prometheus/prometheus:v3.0.0"));
    }

    static Stream<Arguments> badProps() {
        return Stream.of(
                Arguments.of("an image no rule serves", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        quayWarmer(quay).images(List.of("nginx:1.27")).build(),
                        "Image reference 'nginx:1.27' is from registry 'docker.io', which no rule of PullThroughCache "
                                + "Errors/Cache serves. Its rules: [quay (quay.io)]"),
                Arguments.of("neither cache nor rules", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        CacheWarmerProps.builder().images(List.of("quay.io/a/b:1")).build(),
                        "give exactly one of cache and rules (got neither)"),
                Arguments.of("both cache and rules", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        quayWarmer(quay).rules(quay.getRules()).build(), "(got both)"),
                Arguments.of("no images", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        quayWarmer(quay).images(List.of()).build(), "CacheWarmerProps.images is empty"),
                Arguments.of("a platform without its os", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        quayWarmer(quay).platforms(List.of("amd64")).build(),
                        "CacheWarmerProps.platforms: 'amd64' is invalid: expected os/architecture[/variant]"),
                Arguments.of("a concurrency over 16", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        quayWarmer(quay).concurrency(17).build(),
                        "CacheWarmerProps.concurrency 17 is invalid: expected a whole number from 1 to 16"),
                Arguments.of("an image concurrency of 0", (Function<PullThroughCache, CacheWarmerProps>) quay ->
                        quayWarmer(quay).imageConcurrency(0).build(),
                        "CacheWarmerProps.imageConcurrency 0 is invalid: expected a whole number from 1 to 16"));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("badProps")
    void badPropsAreRefusedNamingThePropertyAndValue(String what, Function<PullThroughCache, CacheWarmerProps> props,
            String message) {
        Stack stack = new Stack(TestApps.newApp(), "Errors", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache quay = cacheOf(stack, List.of(UpstreamRegistry.QUAY));

        assertThatThrownBy(() -> new CacheWarmer(stack, "Warmer", props.apply(quay)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void propsMadeFromOptionsCarryEveryOption() {
        CacheWarmerOptions options = CacheWarmerOptions.builder()
                .schedule(ScheduleExpression.rate(Duration.days(1))).platforms(List.of("linux/arm64"))
                .failOnError(true).concurrency(2).imageConcurrency(3).logRetention(RetentionDays.ONE_MONTH)
                .build();
        CacheWarmerProps props = CacheWarmerProps.builder().options(options).images(List.of("nginx:1.27")).build();
        assertThat(props).usingRecursiveComparison().ignoringFields("cache", "rules", "images").isEqualTo(options);
        assertThat(props.getImages()).containsExactly("nginx:1.27");
    }
}
