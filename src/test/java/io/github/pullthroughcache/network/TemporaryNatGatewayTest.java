package io.github.pullthroughcache.network;

import io.github.pullthroughcache.PullThroughCacheProps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import io.github.pullthroughcache.testing.TestVpcs;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.IConstruct;

/** The NAT gateway on and off in the same stack, and with flow logs: one app, synthesized once. */
class TemporaryNatGatewayTest {

    private static Synth synth;
    private static Synth withoutNat;
    private static Stack withNat;
    private static Stack flowLogged;
    private static Vpc vpc;
    private static TemporaryNatGateway nat;
    private static TemporaryNatGateway loggedNat;

    /** The stack a cache deploys: a VPC with public and isolated subnets, the endpoints, and maybe the NAT. */
    private static Vpc cacheNetwork(Stack stack, boolean temporaryNat) {
        Vpc network = TestVpcs.publicAndIsolated(stack, "Vpc");
        new RegistryEndpoints(stack, "Endpoints", RegistryEndpointsProps.builder().vpc(network).build());
        if (temporaryNat) {
            nat = new TemporaryNatGateway(stack, "TemporaryNat", TemporaryNatGatewayProps.builder().vpc(network).build());
        }
        return network;
    }

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        withNat = new Stack(app, "Cache");
        vpc = cacheNetwork(withNat, true);
        // the same stack, deployed again without the NAT gateway
        App withoutNatApp = TestApps.newApp();
        cacheNetwork(new Stack(withoutNatApp, "Cache"), false);
        withoutNat = Synth.of(TestApps.withNagPacks(withoutNatApp));

        flowLogged = new Stack(app, "FlowLogged");
        loggedNat = new TemporaryNatGateway(flowLogged, "TemporaryNat", TemporaryNatGatewayProps.builder()
                .vpc(TestVpcs.publicAndIsolated(flowLogged, "Vpc"))
                .flowLogs(true)
                .flowLogRetention(RetentionDays.ONE_YEAR)
                .build());

        synth = Synth.of(TestApps.withNagPacks(app));
    }

    private static String logicalId(Stack stack, IConstruct construct) {
        return stack.resolve(((CfnElement) construct.getNode().getDefaultChild()).getLogicalId()).toString();
    }

    @Test
    void theNatGatewayHasItsElasticIpInTheFirstPublicSubnet() {
        Template template = synth.template("Cache");

        template.resourceCountIs("AWS::EC2::NatGateway", 1);
        template.hasResourceProperties("AWS::EC2::NatGateway", Map.of(
                "SubnetId", Map.of("Ref", logicalId(withNat, vpc.getPublicSubnets().get(0))),
                "AllocationId", Map.of("Fn::GetAtt", List.of(
                        withNat.resolve(((CfnElement) nat.getNode().findChild("Eip")).getLogicalId()), "AllocationId"))));
        template.hasResourceProperties("AWS::EC2::EIP", Map.of("Domain", "vpc"));
        JsonNode natResource = synth.json("Cache").path("Resources").path(withNat.resolve(nat.getResource().getLogicalId())
                .toString());
        // the subnet's route to the internet gateway
        CfnElement internetRoute = (CfnElement) vpc.getPublicSubnets().get(0).getNode().findChild("DefaultRoute");
        assertThat(natResource.path("DependsOn").toString()).contains(withNat.resolve(internetRoute.getLogicalId()).toString());
    }

    @Test
    void eachIsolatedRouteTableGetsADefaultRouteToTheNatGateway() {
        Template template = synth.template("Cache");
        String natId = withNat.resolve(nat.getResource().getLogicalId()).toString();

        for (var subnet : vpc.getIsolatedSubnets()) {
            template.hasResourceProperties("AWS::EC2::Route", Map.of(
                    "RouteTableId", withNat.resolve(subnet.getRouteTable().getRouteTableId()),
                    "DestinationCidrBlock", "0.0.0.0/0",
                    "NatGatewayId", Map.of("Ref", natId)));
        }
        assertThat(nat.getRoutes()).hasSize(2);
        assertThat(nat.getNode().tryFindChild("RouteIsolatedSubnet1")).isNotNull();
    }

    @Test
    void turningTheNatOffRemovesOnlyTheNatGatewayItsElasticIpAndItsRoutes() {
        Map<String, JsonNode> on = resources(synth.json("Cache"));
        Map<String, JsonNode> off = resources(withoutNat.json("Cache"));

        assertThat(off.keySet()).isSubsetOf(on.keySet());
        Set<String> added = new HashSet<>(on.keySet());
        added.removeAll(off.keySet());
        assertThat(added.stream().map(id -> on.get(id).path("Type").asText()).sorted().toList())
                .containsExactly("AWS::EC2::EIP", "AWS::EC2::NatGateway", "AWS::EC2::Route", "AWS::EC2::Route");
        for (String id : off.keySet()) {
            assertThat(on.get(id)).as("resource %s is the same with and without the NAT gateway", id)
                    .isEqualTo(off.get(id));
        }
    }

    private static Map<String, JsonNode> resources(JsonNode template) {
        Map<String, JsonNode> resources = new TreeMap<>();
        template.path("Resources").properties().forEach(e -> {
            if (!e.getValue().path("Type").asText().equals("AWS::CDK::Metadata")) {
                resources.put(e.getKey(), e.getValue());
            }
        });
        return resources;
    }

    @Test
    void whileItExistsSynthesisWarnsThatItBillsByTheHour() {
        Annotations.fromStack(withNat).hasWarning("/Cache/TemporaryNat", Match.stringLikeRegexp(
                "TemporaryNatGateway Cache/TemporaryNat bills by the hour and per GB processed while it exists\\. "
                        + "Once the first pulls have filled the cache, remove it.*"));
    }

    @Test
    void flowLogsRecordTheNatSubnetThroughARoleWithAManagedPolicy() {
        Template template = synth.template("FlowLogged");
        String logs = logicalId(flowLogged, loggedNat.getFlowLogGroup());

        template.hasResourceProperties("AWS::EC2::FlowLog", Map.of(
                "ResourceType", "Subnet",
                "ResourceId", Map.of("Ref", logicalId(flowLogged, loggedNat.getPublicSubnet())),
                "TrafficType", "ALL",
                "LogDestinationType", "cloud-watch-logs",
                "LogGroupName", Map.of("Ref", logs)));
        template.hasResourceProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 365));
        template.hasResourceProperties("AWS::IAM::Role", Map.of("AssumeRolePolicyDocument", Map.of("Statement",
                List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                        "Principal", Map.of("Service", "vpc-flow-logs.amazonaws.com"))))));
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Map.of("Sid", "WriteFlowLog", "Effect", "Allow",
                        "Action", List.of("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"),
                        "Resource", Map.of("Fn::GetAtt", List.of(logs, "Arn")))))));
        template.resourceCountIs("AWS::IAM::Policy", 0);
    }

    @Test
    void savedQueriesSumTheNatGatewaysOwnLegInEachDirectionPerRemoteAddress() {
        Template template = synth.template("FlowLogged");
        String natSubnet = loggedNat.getPublicSubnet().getIpv4CidrBlock();
        assertThat(natSubnet).startsWith("10.0.").isNotEqualTo("10.0.0.0/16");
        Object logs = List.of(Map.of("Ref", logicalId(flowLogged, loggedNat.getFlowLogGroup())));

        // sent: from the NAT gateway's address to the internet; the client's leg (client to remote) is left out
        template.hasResourceProperties("AWS::Logs::QueryDefinition", Map.of(
                "Name", "pull-through-cache/FlowLogged/nat-bytes-sent-by-destination", "LogGroupNames", logs,
                "QueryString", "fields srcAddr, dstAddr, bytes\n| filter action = 'ACCEPT'\n"
                        + "| filter isIpv4InSubnet(srcAddr, '" + natSubnet + "')\n"
                        + "| filter not isIpv4InSubnet(dstAddr, '10.0.0.0/16')\n"
                        + "| stats sum(bytes) as bytesSent, count(*) as flows by dstAddr\n"
                        + "| sort bytesSent desc\n| limit 100"));
        // received: the downloads, in records whose source is the remote host and destination the NAT gateway
        template.hasResourceProperties("AWS::Logs::QueryDefinition", Map.of(
                "Name", "pull-through-cache/FlowLogged/nat-bytes-received-by-source", "LogGroupNames", logs,
                "QueryString", "fields dstAddr, srcAddr, bytes\n| filter action = 'ACCEPT'\n"
                        + "| filter isIpv4InSubnet(dstAddr, '" + natSubnet + "')\n"
                        + "| filter not isIpv4InSubnet(srcAddr, '10.0.0.0/16')\n"
                        + "| stats sum(bytes) as bytesReceived, count(*) as flows by srcAddr\n"
                        + "| sort bytesReceived desc\n| limit 100"));
    }

    @Test
    void everyResourceMatchesItsCloudFormationSchema() {
        for (String stack : List.of("Cache", "FlowLogged")) {
            assertThat(CfnSchemas.violations(synth.json(stack))).as(stack).isEmpty();
        }
        assertThat(CfnSchemas.violations(withoutNat.json("Cache"))).isEmpty();
    }

    @Test
    void aVpcWithoutAPublicSubnetIsAnError() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        Vpc isolatedOnly = Vpc.Builder.create(stack, "Vpc").maxAzs(1).natGateways(0).subnetConfiguration(List.of(
                SubnetConfiguration.builder().name("Isolated").subnetType(SubnetType.PRIVATE_ISOLATED).build())).build();

        assertThatThrownBy(() -> new TemporaryNatGateway(stack, "Nat", TemporaryNatGatewayProps.builder()
                .vpc(isolatedOnly).build()))
                .hasMessage("TemporaryNatGateway Stack/Nat needs a public subnet (one routed to an internet gateway) "
                        + "in VPC Stack/Vpc, which has none: add a PUBLIC subnet configuration to the VPC (it costs "
                        + "nothing without the NAT gateway), or give TemporaryNatGatewayProps.publicSubnet");
    }

    @Test
    void aVpcWithoutIsolatedSubnetsNeedsASelection() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        Vpc publicOnly = Vpc.Builder.create(stack, "Vpc").maxAzs(1).natGateways(0).subnetConfiguration(List.of(
                SubnetConfiguration.builder().name("Public").subnetType(SubnetType.PUBLIC).build())).build();

        assertThatThrownBy(() -> new TemporaryNatGateway(stack, "Nat", TemporaryNatGatewayProps.builder()
                .vpc(publicOnly).build()))
                .hasMessage("TemporaryNatGatewayProps.privateSubnets has no default for VPC Stack/Vpc: it has no "
                        + "isolated subnets; select the subnets whose route tables need a default route to the NAT gateway");
        assertThatThrownBy(() -> new TemporaryNatGateway(stack, "NoVpc", TemporaryNatGatewayProps.builder().build()))
                .hasMessageStartingWith("TemporaryNatGatewayProps.vpc is required");
    }

    @Test
    void anImportedVpcWithItsRouteTablesGetsTheNat() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        IVpc existing = importedVpc(stack, true);
        new TemporaryNatGateway(stack, "Nat", TemporaryNatGatewayProps.builder().vpc(existing).build());

        Template template = Template.fromStack(stack);
        template.hasResourceProperties("AWS::EC2::NatGateway", Map.of("SubnetId", "subnet-0a1b2c3d4e5f60001"));
        // two subnets, one route table: one route
        template.resourceCountIs("AWS::EC2::Route", 1);
        template.hasResourceProperties("AWS::EC2::Route", Map.of("RouteTableId", "rtb-0a1b2c3d4e5f60005"));
    }

    @Test
    void propsMadeFromOptionsCarryEveryOption() {
        TemporaryNatGatewayOptions options = TemporaryNatGatewayOptions.builder()
                .publicSubnet(SubnetSelection.builder().subnetGroupName("Public").build())
                .privateSubnets(SubnetSelection.builder().subnetGroupName("Isolated").build())
                .flowLogs(true).flowLogRetention(RetentionDays.ONE_MONTH)
                .build();
        TemporaryNatGatewayProps props = TemporaryNatGatewayProps.builder().options(options).build();
        assertThat(props).usingRecursiveComparison().ignoringFields("vpc").isEqualTo(options);
        assertThat(props.isFlowLogs()).isTrue();
    }

    @Test
    void anImportedVpcWithoutPublicSubnetsIsToldWhatAnImportTakes() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        IVpc existing = importedVpc(stack, false);

        // not "add a PUBLIC subnet configuration": an import has no configuration to add to
        assertThatThrownBy(() -> new TemporaryNatGateway(stack, "Nat", TemporaryNatGatewayProps.builder()
                .vpc(existing).build()))
                .hasMessage("TemporaryNatGateway Stack/Nat needs a public subnet (one routed to an internet gateway) "
                        + "in VPC Stack/Existing, which has none: give Vpc.fromVpcAttributes its public subnets "
                        + "(publicSubnetIds and publicSubnetRouteTableIds), or select one with "
                        + "TemporaryNatGatewayOptions.publicSubnet (PullThroughCacheProps.temporaryNatOptions), or go "
                        + "without a NAT gateway: temporaryNat(false), and the cache's warmer fills the cache from "
                        + "outside the VPC");
    }

    /** A VPC imported by its attributes: two isolated subnets on one route table, and two public ones or none. */
    private static IVpc importedVpc(Stack stack, boolean withPublicSubnets) {
        VpcAttributes.Builder attributes = VpcAttributes.builder()
                .vpcId("vpc-0123456789abcdef0")
                .vpcCidrBlock("172.31.0.0/16")
                .availabilityZones(List.of("eu-west-1a", "eu-west-1b"))
                .isolatedSubnetIds(List.of("subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"))
                .isolatedSubnetRouteTableIds(List.of("rtb-0a1b2c3d4e5f60005", "rtb-0a1b2c3d4e5f60005"));
        if (withPublicSubnets) {
            attributes.publicSubnetIds(List.of("subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"));
        }
        return Vpc.fromVpcAttributes(stack, "Existing", attributes.build());
    }
}
