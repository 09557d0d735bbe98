package io.github.pullthroughcache.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;

/** A cache's VPC in the range it is given, with public subnets for a temporary NAT gateway or isolated ones only. */
class CacheVpcTest {

    @Test
    void aVpcWithoutPublicSubnetsHasNoWayOutAndItsIsolatedSubnetsWhereTheyWouldBe() {
        App app = TestApps.newApp();
        Stack withPublic = new Stack(app, "WithPublic", StackProps.builder().env(TestApps.ENV).build());
        CacheVpc central = new CacheVpc(withPublic, "Vpc", CacheVpcProps.builder().cidr("10.1.0.0/16").build());
        Stack isolated = new Stack(app, "Isolated", StackProps.builder().env(TestApps.ENV).build());
        CacheVpc consumer = new CacheVpc(isolated, "Vpc", CacheVpcProps.builder().cidr("10.2.0.0/16")
                .publicSubnets(false).build());
        Synth synth = Synth.of(app);

        Template withNat = synth.template("WithPublic");
        withNat.hasResourceProperties("AWS::EC2::VPC", Map.of("CidrBlock", "10.1.0.0/16"));
        withNat.resourceCountIs("AWS::EC2::InternetGateway", 1);
        withNat.resourceCountIs("AWS::EC2::Subnet", 4);
        withNat.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("CidrBlock", "10.1.0.0/24"), 1);
        withNat.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("CidrBlock", "10.1.16.0/20"), 1);
        assertThat(central.getPublicSubnets()).hasSize(2);

        Template none = synth.template("Isolated");
        none.hasResourceProperties("AWS::EC2::VPC", Map.of("CidrBlock", "10.2.0.0/16"));
        none.resourceCountIs("AWS::EC2::InternetGateway", 0);
        none.resourceCountIs("AWS::EC2::VPCGatewayAttachment", 0);
        none.resourceCountIs("AWS::EC2::Route", 0);
        none.resourceCountIs("AWS::EC2::Subnet", 2);
        // the public subnets' space stays reserved: the isolated subnets have the CIDRs they have beside them
        none.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("CidrBlock", "10.2.16.0/20"), 1);
        none.resourcePropertiesCountIs("AWS::EC2::Subnet", Map.of("CidrBlock", "10.2.32.0/20"), 1);
        assertThat(consumer.getPublicSubnets()).isEmpty();
        assertThat(consumer.getIsolatedSubnets()).hasSize(2);
        assertThat(synth.json("Isolated").toString()).doesNotContain("0.0.0.0/0");
    }
}
