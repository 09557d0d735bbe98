package io.github.pullthroughcache.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import io.github.pullthroughcache.testing.TestVpcs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;

/** Endpoints in a new VPC, in one availability zone of it, and in an imported VPC: one app, synthesized once. */
class RegistryEndpointsTest {

    private static Synth synth;
    private static Template defaults;
    private static Template restricted;
    private static Template imported;
    private static Stack defaultsStack;
    private static Vpc vpc;
    private static RegistryEndpoints endpoints;
    private static RegistryEndpoints oneAz;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        defaultsStack = new Stack(app, "Defaults", StackProps.builder().build());
        vpc = TestVpcs.publicAndIsolated(defaultsStack, "Vpc");
        endpoints = new RegistryEndpoints(defaultsStack, "Endpoints", RegistryEndpointsProps.builder().vpc(vpc).build());

        Stack restrictedStack = new Stack(app, "Restricted", StackProps.builder().build());
        Vpc restrictedVpc = TestVpcs.publicAndIsolated(restrictedStack, "Vpc");
        oneAz = new RegistryEndpoints(restrictedStack, "Endpoints", RegistryEndpointsProps.builder()
                .vpc(restrictedVpc)
                // one subnet: one availability zone, half the endpoint hours
                .subnets(SubnetSelection.builder().subnets(List.of(restrictedVpc.getIsolatedSubnets().get(0))).build())
                .restrictToThisRegistry(true)
                .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
                        InterfaceVpcEndpointAwsService.STS, InterfaceVpcEndpointAwsService.SECRETS_MANAGER))
                .build());

        Stack importedStack = new Stack(app, "Imported", StackProps.builder().build());
        IVpc existing = Vpc.fromVpcAttributes(importedStack, "Existing", VpcAttributes.builder()
                .vpcId("vpc-0123456789abcdef0")
                .vpcCidrBlock("172.31.0.0/16")
                .availabilityZones(List.of("eu-west-1a", "eu-west-1b"))
                .privateSubnetIds(List.of("subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"))
                .privateSubnetRouteTableIds(List.of("rtb-0aaaaaaaaaaaaaaa3", "rtb-0bbbbbbbbbbbbbbb4"))
                .build());
        // an existing S3 gateway route: only the ECR endpoints are created
        new RegistryEndpoints(importedStack, "Endpoints", RegistryEndpointsProps.builder()
                .vpc(existing).s3Gateway(false).build());

        synth = Synth.of(TestApps.withNagPacks(app));
        defaults = synth.template("Defaults");
        restricted = synth.template("Restricted");
        imported = synth.template("Imported");
    }

    private static Object ref(Stack stack, software.constructs.IConstruct construct) {
        return Map.of("Ref", stack.resolve(((software.amazon.awscdk.CfnElement) construct.getNode().getDefaultChild())
                .getLogicalId()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecr.api", "ecr.dkr"})
    void ecrInterfaceEndpointsUsePrivateDnsInTheIsolatedSubnets(String service) {
        defaults.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "ServiceName", Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), "." + service))),
                "VpcEndpointType", "Interface",
                "PrivateDnsEnabled", true,
                "SubnetIds", List.of(ref(defaultsStack, vpc.getIsolatedSubnets().get(0)),
                        ref(defaultsStack, vpc.getIsolatedSubnets().get(1))),
                "SecurityGroupIds", List.of(Map.of("Fn::GetAtt", List.of(
                        defaultsStack.resolve(((software.amazon.awscdk.CfnElement) endpoints.getSecurityGroup().getNode()
                                .getDefaultChild()).getLogicalId()), "GroupId"))),
                "PolicyDocument", Match.absent()));
    }

    @Test
    void theSecurityGroupLetsInHttpsFromTheVpcCidrAndNothingOut() {
        defaults.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of(
                "SecurityGroupIngress", List.of(Map.of(
                        "CidrIp", "10.0.0.0/16", "IpProtocol", "tcp", "FromPort", 443, "ToPort", 443,
                        "Description", "HTTPS from the VPC")),
                "SecurityGroupEgress", List.of(Map.of(
                        "CidrIp", "255.255.255.255/32", "IpProtocol", "icmp", "FromPort", 252, "ToPort", 86,
                        "Description", "Disallow all traffic"))));
        defaults.resourceCountIs("AWS::EC2::SecurityGroupIngress", 0);
        defaults.resourceCountIs("AWS::EC2::SecurityGroupEgress", 0);
    }

    @Test
    void theS3GatewayJoinsTheSubnetsRouteTablesAndReadsOnlyEcrLayers() {
        defaults.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "VpcEndpointType", "Gateway",
                "ServiceName", Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), ".s3"))),
                "RouteTableIds", List.of(
                        defaultsStack.resolve(vpc.getIsolatedSubnets().get(0).getRouteTable().getRouteTableId()),
                        defaultsStack.resolve(vpc.getIsolatedSubnets().get(1).getRouteTable().getRouteTableId())),
                "PolicyDocument", Map.of("Statement", List.of(Map.of(
                        "Sid", "EcrImageLayersOnly", "Effect", "Allow", "Principal", Map.of("AWS", "*"),
                        "Action", "s3:GetObject",
                        "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                                ":s3:::prod-", Map.of("Ref", "AWS::Region"), "-starport-layer-bucket/*"))))))));
        assertThat(synth.json("Defaults").toString()).doesNotContain("rtb-").contains("\"RouteTableIds\"");
    }

    @Test
    void oneAvailabilityZoneGetsOneInterfacePerEndpoint() {
        restricted.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Interface"), 5);
        for (var endpoint : List.of(oneAz.getEcrApiEndpoint(), oneAz.getEcrDkrEndpoint(),
                oneAz.getAdditionalEndpoints().get("logs"))) {
            assertThat(synth.json("Restricted").path("Resources")
                    .path(endpoint.getStack().resolve(((software.amazon.awscdk.CfnElement) endpoint.getNode()
                            .getDefaultChild()).getLogicalId()).toString())
                    .path("Properties").path("SubnetIds").size()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecr.api", "ecr.dkr"})
    void restrictedEndpointsServeThisAccountsRegistryOnly(String service) {
        restricted.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "ServiceName", Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), "." + service))),
                "PolicyDocument", Map.of("Statement", List.of(
                        Map.of("Sid", "ThisRegistryOnly", "Effect", "Allow", "Action", "ecr:*",
                                "Principal", Map.of("AWS", Map.of("Fn::Join", List.of("", List.of("arn:",
                                        Map.of("Ref", "AWS::Partition"), ":iam::", Map.of("Ref", "AWS::AccountId"), ":root")))),
                                "Resource", Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"),
                                        ":ecr:", Map.of("Ref", "AWS::Region"), ":", Map.of("Ref", "AWS::AccountId"), ":repository/*")))),
                        Map.of("Sid", "Authenticate", "Effect", "Allow", "Action", "ecr:GetAuthorizationToken",
                                "Principal", Match.anyValue(), "Resource", "*")))));
    }

    @Test
    void restrictedEndpointsLetThisAccountUseTheCentralRegistryItNames() {
        Stack consumer = new Stack(TestApps.newApp(), "Consumer", StackProps.builder()
                .env(software.amazon.awscdk.Environment.builder().account("222222222222").region("eu-west-1").build())
                .build());
        new RegistryEndpoints(consumer, "Endpoints", RegistryEndpointsProps.builder()
                .vpc(TestVpcs.publicAndIsolated(consumer, "Vpc"))
                .restrictToThisRegistry(true)
                .alsoAllowedRegistries(List.of("111111111111"))
                .build());

        Template.fromStack(consumer).hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Sid", "ThisRegistryOnly",
                        "Principal", Map.of("AWS", "arn:aws:iam::222222222222:root"),
                        "Resource", List.of("arn:aws:ecr:eu-west-1:111111111111:repository/*",
                                "arn:aws:ecr:eu-west-1:222222222222:repository/*"))))))));
    }

    @Test
    void anotherRegistryThatIsNoAccountIsRefused() {
        assertThatThrownBy(() -> RegistryEndpointsProps.builder().alsoAllowedRegistries(List.of("central")))
                .hasMessage("RegistryEndpointsProps.alsoAllowedRegistries: account 'central' is invalid: expected a "
                        + "12-digit AWS account id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"logs", "sts", "secretsmanager"})
    void additionalServicesShareTheSubnetsAndSecurityGroupWithoutARegistryPolicy(String service) {
        restricted.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "ServiceName", Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), "." + service))),
                "PrivateDnsEnabled", true,
                "PolicyDocument", Match.absent()));
        assertThat(oneAz.getAdditionalEndpoints()).containsKey(service);
        assertThat(oneAz.getNode().tryFindChild(ConstructIds.pascalCase(service))).isNotNull();
    }

    @Test
    void anImportedVpcGetsTheEndpointsInItsPrivateSubnetsAndItsLiteralCidr() {
        imported.hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "ServiceName", Map.of("Fn::Join", List.of("", List.of("com.amazonaws.", Map.of("Ref", "AWS::Region"), ".ecr.dkr"))),
                "VpcId", "vpc-0123456789abcdef0",
                "SubnetIds", List.of("subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2")));
        imported.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of(
                "SecurityGroupIngress", List.of(Map.of("CidrIp", "172.31.0.0/16", "IpProtocol", "tcp",
                        "FromPort", 443, "ToPort", 443, "Description", "HTTPS from the VPC"))));
        imported.resourcePropertiesCountIs("AWS::EC2::VPCEndpoint", Map.of("VpcEndpointType", "Gateway"), 0);
        imported.resourceCountIs("AWS::EC2::VPCEndpoint", 2);
    }

    @Test
    void constructIdsNameTheService() {
        assertThat(List.of("ecr.api", "ecr.dkr", "logs", "secretsmanager").stream().map(ConstructIds::pascalCase))
                .containsExactly("EcrApi", "EcrDkr", "Logs", "Secretsmanager");
        assertThat(endpoints.getNode().tryFindChild("EcrApi")).isNotNull();
        assertThat(endpoints.getNode().tryFindChild("S3Gateway")).isSameAs(endpoints.getS3GatewayEndpoint());
    }

    @Test
    void everyResourceMatchesItsCloudFormationSchema() {
        for (String stack : List.of("Defaults", "Restricted", "Imported")) {
            assertThat(CfnSchemas.violations(synth.json(stack))).as(stack).isEmpty();
        }
    }

    @Test
    void skippedEndpointsAreNotCreated() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack", StackProps.builder().build());
        RegistryEndpoints none = new RegistryEndpoints(stack, "Endpoints", RegistryEndpointsProps.builder()
                .vpc(TestVpcs.publicAndIsolated(stack, "Vpc")).ecrApi(false).ecrDkr(false).s3Gateway(false).build());

        Template.fromStack(stack).resourceCountIs("AWS::EC2::VPCEndpoint", 0);
        Template.fromStack(stack).resourceCountIs("AWS::EC2::SecurityGroup", 0);
        assertThat(none.getSecurityGroup()).isNull();
        assertThat(none.getEcrApiEndpoint()).isNull();
    }

    @Test
    void aVpcWithoutPrivateOrIsolatedSubnetsNeedsASelection() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        Vpc publicOnly = Vpc.Builder.create(stack, "Vpc").maxAzs(1).natGateways(0).subnetConfiguration(List.of(
                SubnetConfiguration.builder().name("Public").subnetType(SubnetType.PUBLIC).build())).build();

        assertThatThrownBy(() -> new RegistryEndpoints(stack, "Endpoints",
                RegistryEndpointsProps.builder().vpc(publicOnly).build()))
                .hasMessage("RegistryEndpointsProps.subnets has no default for VPC Stack/Vpc: it has no private or "
                        + "isolated subnets; give the VPC one, or select subnets");
    }

    @Test
    void theVpcIsRequiredAndEachServiceComesOnce() {
        Stack stack = new Stack(TestApps.bareApp(), "Stack");
        assertThatThrownBy(() -> new RegistryEndpoints(stack, "NoVpc", RegistryEndpointsProps.builder().build()))
                .hasMessage("RegistryEndpointsProps.vpc is required: the VPC whose tasks pull through the cache");
        Vpc testVpc = TestVpcs.publicAndIsolated(stack, "Vpc");
        assertThatThrownBy(() -> new RegistryEndpoints(stack, "Twice", RegistryEndpointsProps.builder().vpc(testVpc)
                .additionalServices(List.of(InterfaceVpcEndpointAwsService.STS, InterfaceVpcEndpointAwsService.STS))
                .build()))
                .hasMessage("RegistryEndpointsProps.additionalServices lists 'sts' twice: a VPC takes one private-DNS "
                        + "endpoint per service");
        assertThatThrownBy(() -> new RegistryEndpoints(stack, "Ecr", RegistryEndpointsProps.builder().vpc(testVpc)
                .additionalServices(List.of(InterfaceVpcEndpointAwsService.ECR_DOCKER)).build()))
                .hasMessageStartingWith("RegistryEndpointsProps.additionalServices lists 'ecr.dkr' which is one of the "
                        + "registry's own endpoints");
    }

    @Test
    void propsMadeFromOptionsCarryEveryOption() {
        RegistryEndpointsOptions options = RegistryEndpointsOptions.builder()
                .subnets(SubnetSelection.builder().subnetGroupName("Isolated").build())
                .ecrApi(false).ecrDkr(false).s3Gateway(false).restrictToThisRegistry(true)
                .additionalServices(List.of(InterfaceVpcEndpointAwsService.STS))
                .alsoAllowedRegistries(List.of("222222222222"))
                .build();
        IVpc vpc = Vpc.fromVpcAttributes(new Stack(TestApps.newApp(), "Imported"), "Vpc", VpcAttributes.builder()
                .vpcId("vpc-1").availabilityZones(List.of("eu-west-1a")).build());
        RegistryEndpointsProps props = RegistryEndpointsProps.builder().options(options).vpc(vpc).build();
        assertThat(props).usingRecursiveComparison().ignoringFields("vpc").isEqualTo(options);
        assertThat(props.getVpc()).isSameAs(vpc);
        assertThat(RegistryEndpointsProps.builder().build()).usingRecursiveComparison().ignoringFields("vpc")
                .isEqualTo(RegistryEndpointsOptions.builder().build());
    }
}
