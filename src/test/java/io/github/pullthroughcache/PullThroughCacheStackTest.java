package io.github.pullthroughcache;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.stack.PullThroughCacheStackProps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.CfnSchemas;
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
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The deployable stack: with an account and region and no lookup; configured from props; and configured from
 * context as {@code cdk deploy -c key=value} does, which wins over props.
 */
class PullThroughCacheStackTest {

    private static final String IMPORTED_VPC = "{\"vpcId\": \"vpc-0123456789abcdef0\", \"vpcCidrBlock\": \"10.1.0.0/16\", "
            + "\"availabilityZones\": [\"eu-west-1a\"], \"publicSubnetIds\": [\"subnet-0aaaaaaaaaaaaaaaa\"], "
            + "\"publicSubnetRouteTableIds\": [\"rtb-0aaaaaaaaaaaaaaaa\"], "
            + "\"isolatedSubnetIds\": [\"subnet-0bbbbbbbbbbbbbbbb\"], "
            + "\"isolatedSubnetRouteTableIds\": [\"rtb-0bbbbbbbbbbbbbbbb\"]}";

    private static CloudAssembly fromPropsAssembly;
    private static Template fromProps;
    private static PullThroughCacheStack fromContextStack;
    private static Template fromContext;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        new PullThroughCacheStack(app, "PullThroughCache", PullThroughCacheStackProps.builder()
                .env(TestApps.ENV)
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                .repositoryPrefixes(Map.of("quay", "quay-io"))
                .temporaryNat(true)
                .build());
        Synth synth = Synth.of(TestApps.withNagPacks(app));
        fromPropsAssembly = app.synth();
        fromProps = synth.template("PullThroughCache");
        assertThat(CfnSchemas.violations(synth.json("PullThroughCache"))).isEmpty();

        App contextApp = TestApps.newApp(Map.of(
                "upstreams", "ecr-public,docker-hub",
                "prefixes", "docker-hub=dockerhub",
                "temporaryNat", "false",
                "vpc", IMPORTED_VPC));
        fromContextStack = new PullThroughCacheStack(contextApp, "PullThroughCache", PullThroughCacheStackProps.builder()
                .env(TestApps.ENV)
                .temporaryNat(true)
                .build());
        Synth contextSynth = Synth.of(TestApps.withNagPacks(contextApp));
        fromContext = contextSynth.template("PullThroughCache");
        assertThat(CfnSchemas.violations(contextSynth.json("PullThroughCache"))).isEmpty();
    }

    @Test
    void anAccountAndRegionNeedNoLookupTheZonesResolveAtDeployTime() {
        assertThat(fromPropsAssembly.getManifest().getMissing()).isNullOrEmpty();
        fromProps.hasResourceProperties("AWS::EC2::Subnet", Map.of("AvailabilityZone",
                Map.of("Fn::Select", List.of(0, Map.of("Fn::GetAZs", "")))));
        fromProps.hasResourceProperties("AWS::EC2::Subnet", Map.of("AvailabilityZone",
                Map.of("Fn::Select", List.of(1, Map.of("Fn::GetAZs", "")))));
    }

    @Test
    void propsGiveTheUpstreamsPrefixesAndNat() {
        fromProps.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "quay-io", "UpstreamRegistryUrl", "quay.io"));
        fromProps.resourceCountIs("AWS::ECR::PullThroughCacheRule", 2);
        fromProps.resourceCountIs("AWS::EC2::NatGateway", 1);
        fromProps.resourceCountIs("AWS::EC2::VPC", 1);
    }

    @Test
    void outputsTheRegistryAndEachPrefix() {
        String host = "111111111111.dkr.ecr.eu-west-1., {Ref=AWS::URLSuffix}";
        assertThat(fromProps.findOutputs("RegistryUri").toString()).contains("[" + host + "]");
        assertThat(fromProps.findOutputs("PrefixEcrPublic").toString()).contains("[" + host + ", /ecr-public]");
        assertThat(fromProps.findOutputs("PrefixQuayIo").toString()).contains("[" + host + ", /quay-io]",
                "Pull quay.io/<image> as this/<image>");
    }

    @Test
    void contextWinsOverProps() {
        assertThat(fromContextStack.getCache().getRules()).extracting(PullThroughCacheRule::getRepositoryPrefix)
                .containsExactly("ecr-public", "dockerhub");
        fromContext.resourceCountIs("AWS::EC2::NatGateway", 0);
        fromContext.resourceCountIs("AWS::EC2::VPC", 0);
        fromContext.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of("VpcId", "vpc-0123456789abcdef0"));
        assertThat(fromContext.findResources("AWS::ECR::PullThroughCacheRule", Map.of("Properties",
                Map.of("EcrRepositoryPrefix", "dockerhub"))).toString())
                .contains(":secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/docker-hub");
    }

    @Test
    void contextFromCdkJsonMayBeJsonValues() {
        App app = TestApps.newApp(Map.of("upstreams", List.of("quay", "k8s"), "temporaryNat", true,
                "availabilityZones", List.of("eu-west-1b", "eu-west-1c")));
        PullThroughCacheStack stack = new PullThroughCacheStack(app, "S", null);
        assertThat(stack.getCache().getRules()).extracting(PullThroughCacheRule::getRepositoryPrefix)
                .containsExactly("quay", "k8s");
        assertThat(stack.getCache().getTemporaryNat()).isNotNull();
        assertThat(stack.getAvailabilityZones()).containsExactly("eu-west-1b", "eu-west-1c");
    }

    @Test
    void anUnknownUpstreamNameIsAnErrorListingTheNames() {
        assertThatThrownBy(() -> new PullThroughCacheStack(TestApps.newApp(Map.of("upstreams", "quay,dockerhub")),
                "S", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Context 'upstreams' is 'quay,dockerhub'")
                .hasMessageContaining("[ecr-public, quay, k8s, docker-hub, github, gitlab, chainguard]")
                .hasMessageContaining("'dockerhub' is none of them");
    }

    @Test
    void aBooleanContextOtherThanTrueOrFalseIsAnError() {
        assertThatThrownBy(() -> new PullThroughCacheStack(TestApps.newApp(Map.of("temporaryNat", "yes")), "S", null))
                .hasMessage("Context 'temporaryNat' is 'yes': expected true or false");
    }

    static Stream<Arguments> badVpcContexts() {
        return Stream.of(
                Arguments.of("{\"vpcCidrBlock\": \"10.1.0.0/16\", \"availabilityZones\": [\"eu-west-1a\"]}",
                        "'vpcId' among the attributes"),
                Arguments.of("{\"vpcId\": \"vpc-1\", \"subnetIds\": []}", "not 'subnetIds'"),
                Arguments.of("{\"vpcId\": 5, \"vpcCidrBlock\": \"10.1.0.0/16\"}", "expected a string for 'vpcId'"),
                Arguments.of("{\"vpcId\": \"vpc-1\", \"isolatedSubnetIds\": \"subnet-1\"}",
                        "expected a list of strings for 'isolatedSubnetIds'"),
                Arguments.of("{vpcId", "expected a JSON object"));
    }

    @ParameterizedTest(name = "vpc {0} is refused")
    @MethodSource("badVpcContexts")
    void aVpcContextWithoutItsIdOrWithAnUnknownAttributeIsRefused(String vpc, String message) {
        // the JSON as typed, never the Java map it was read into
        assertThatThrownBy(() -> new PullThroughCacheStack(TestApps.newApp(Map.of("vpc", vpc)), "S", null))
                .hasMessageStartingWith("Context 'vpc' is '" + vpc + "': ").hasMessageContaining(message);
    }

    @Test
    void aVpcObjectOfCdkJsonIsEchoedAsJson() {
        Map<String, Object> vpc = new java.util.LinkedHashMap<>();
        vpc.put("vpcId", "vpc-1");
        vpc.put("subnetIds", List.of("subnet-1"));
        assertThatThrownBy(() -> new PullThroughCacheStack(TestApps.newApp(Map.of("vpc", vpc)), "S", null))
                .hasMessageStartingWith("Context 'vpc' is '{\"vpcId\":\"vpc-1\",\"subnetIds\":[\"subnet-1\"]}': "
                        + "expected attributes out of");
    }

    @Test
    void withNoPropsTheStackIsEcrPublicWithItsEndpoints() {
        App app = TestApps.newApp();
        PullThroughCacheStack stack = new PullThroughCacheStack(app, "Defaults");
        Template defaults = Template.fromStack(stack);
        defaults.resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        defaults.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of("EcrRepositoryPrefix", "ecr-public"));
        defaults.resourceCountIs("AWS::EC2::VPCEndpoint", 3);
        defaults.resourceCountIs("AWS::EC2::NatGateway", 0);
    }

    @Test
    void aPrefixForAnUpstreamTheStackDoesNotHaveIsAnError() {
        assertThatThrownBy(() -> new PullThroughCacheStack(TestApps.newApp(Map.of("prefixes", "quay=quay-io")),
                "S", null))
                .hasMessageContaining("name 'quay', which is not the default prefix of any upstream of the stack: "
                        + "[ecr-public]");
    }
}
