package io.github.pullthroughcache.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cloud_assembly_schema.MissingContext;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.constructs.Construct;

/**
 * Where a cache's VPC takes its availability zones from, and which ways synthesize with no context and no AWS
 * credentials: an app with no context at all, whose cloud assembly asks the CLI for nothing.
 */
class CacheVpcZonesTest {

    /** A stack of a fixed account and region whose zones resolve at deploy, as the README and the starter show. */
    static final class DeployTimeZonesStack extends Stack {
        DeployTimeZonesStack(Construct scope, String id) {
            super(scope, id, StackProps.builder().env(TestApps.ENV).build());
        }

        @Override
        public List<String> getAvailabilityZones() {
            return CacheVpc.zonesResolvedAtDeploy(2);
        }
    }

    private static List<MissingContext> missing(App app) {
        CloudAssembly assembly = app.synth();
        List<MissingContext> missing = assembly.getManifest().getMissing();
        return missing == null ? List.of() : missing;
    }

    @Test
    void aCacheWithItsDefaultVpcInAStackOfAFixedAccountAsksForNoContext() {
        App app = TestApps.bareApp();
        Stack stack = new DeployTimeZonesStack(app, "Fixed");
        new PullThroughCache(stack, "Cache", io.github.pullthroughcache.PullThroughCacheProps.builder().build());

        assertThat(missing(app)).isEmpty();
        Template template = Template.fromStack(stack);
        template.resourceCountIs("AWS::EC2::Subnet", 4);
        template.hasResourceProperties("AWS::EC2::Subnet", Map.of("AvailabilityZone",
                Map.of("Fn::Select", List.of(1, Map.of("Fn::GetAZs", "")))));
    }

    @Test
    void anEnvironmentAgnosticStackAsksForNoContextEither() {
        App app = TestApps.bareApp();
        Stack stack = new Stack(app, "Agnostic");
        new CacheVpc(stack, "Vpc", CacheVpcProps.builder().build());

        assertThat(missing(app)).isEmpty();
    }

    @Test
    void aPlainStackOfAFixedAccountLooksItsZonesUpEvenForGivenZones() {
        // aws-cdk's Vpc reads Stack.getAvailabilityZones() whatever its props: in a stack of a fixed account that
        // is a context lookup, which the CLI makes with AWS credentials. The README says so; this pins why.
        App app = TestApps.bareApp();
        Stack stack = new Stack(app, "Plain", StackProps.builder().env(TestApps.ENV).build());
        new CacheVpc(stack, "Vpc", CacheVpcProps.builder().availabilityZones(List.of("eu-west-1a", "eu-west-1b")).build());

        assertThat(missing(app)).extracting(MissingContext::getKey)
                .containsExactly("availability-zones:account=111111111111:region=eu-west-1");
    }

    @Test
    void givenZonesAreTheVpcsAndMaxAzsIsNotUsed() {
        App app = TestApps.newApp();
        Stack stack = new DeployTimeZonesStack(app, "Chosen");
        new CacheVpc(stack, "Vpc", CacheVpcProps.builder().maxAzs(3)
                .availabilityZones(List.of("eu-west-1b", "eu-west-1c")).build());

        Template template = Synth.of(app).template("Chosen");
        template.resourceCountIs("AWS::EC2::Subnet", 4);
        template.hasResourceProperties("AWS::EC2::Subnet", Map.of("AvailabilityZone", "eu-west-1b"));
        template.hasResourceProperties("AWS::EC2::Subnet", Map.of("AvailabilityZone", "eu-west-1c"));
    }

    @Test
    void deployTimeZonesAreOneToThree() {
        assertThat(CacheVpc.zonesResolvedAtDeploy(3)).hasSize(3);
        assertThatThrownBy(() -> CacheVpc.zonesResolvedAtDeploy(4))
                .hasMessage("CacheVpc.zonesResolvedAtDeploy count is 4: expected 1 to 3, the zones every Region has");
    }
}
