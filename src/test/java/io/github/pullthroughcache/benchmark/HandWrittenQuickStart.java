package io.github.pullthroughcache.benchmark;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.CfnEIP;
import software.amazon.awscdk.services.ec2.CfnNatGateway;
import software.amazon.awscdk.services.ec2.CfnRoute;
import software.amazon.awscdk.services.ec2.FlowLog;
import software.amazon.awscdk.services.ec2.FlowLogDestination;
import software.amazon.awscdk.services.ec2.FlowLogResourceType;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpoint;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpoint;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecr.CfnPullThroughCacheRule;
import software.amazon.awscdk.services.ecr.CfnRepositoryCreationTemplate;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The quick start's resources written with aws-cdk-lib alone, as a careful user would without the library: no
 * validation, no warnings, no cdk-nag acknowledgements. For {@link SynthesisBenchmark} only.
 */
final class HandWrittenQuickStart extends Stack {

    private static final String LIFECYCLE_POLICY = "{\"rules\":[{\"rulePriority\":1,\"description\":\"Expire "
            + "untagged images 14 days after they were cached\",\"selection\":{\"tagStatus\":\"untagged\","
            + "\"countType\":\"sinceImagePushed\",\"countNumber\":14,\"countUnit\":\"days\"},\"action\":{\"type\":"
            + "\"expire\"}}]}";

    HandWrittenQuickStart(Construct scope, String id) {
        super(scope, id, StackProps.builder().description("Hand-written quick start").build());
        Vpc vpc = Vpc.Builder.create(this, "Vpc")
                .ipAddresses(IpAddresses.cidr("10.0.0.0/16"))
                .maxAzs(2)
                .natGateways(0)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("Public").subnetType(SubnetType.PUBLIC).cidrMask(24)
                                .mapPublicIpOnLaunch(false).build(),
                        SubnetConfiguration.builder().name("Isolated").subnetType(SubnetType.PRIVATE_ISOLATED)
                                .cidrMask(20).build()))
                .build();
        LogGroup logs = LogGroup.Builder.create(this, "FlowLogs").retention(RetentionDays.ONE_YEAR).build();
        Role role = Role.Builder.create(this, "FlowLogRole")
                .assumedBy(new ServicePrincipal("vpc-flow-logs.amazonaws.com")).build();
        ManagedPolicy policy = ManagedPolicy.Builder.create(this, "FlowLogPolicy")
                .roles(List.of(role))
                .statements(List.of(PolicyStatement.Builder.create()
                        .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
                        .resources(List.of(logs.getLogGroupArn())).build()))
                .build();
        FlowLog flowLog = FlowLog.Builder.create(this, "FlowLog")
                .resourceType(FlowLogResourceType.fromVpc(vpc))
                .destination(FlowLogDestination.toCloudWatchLogs(logs, role.withoutPolicyUpdates()))
                .trafficType(FlowLogTrafficType.REJECT)
                .build();
        flowLog.getNode().addDependency(policy);

        SubnetSelection isolated = SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).onePerAz(true).build();
        SecurityGroup group = SecurityGroup.Builder.create(this, "EndpointSecurityGroup")
                .vpc(vpc).description("HTTPS from the VPC").allowAllOutbound(false).build();
        group.addIngressRule(Peer.ipv4("10.0.0.0/16"), Port.tcp(443), "HTTPS from the VPC");
        for (InterfaceVpcEndpointAwsService service : List.of(InterfaceVpcEndpointAwsService.ECR,
                InterfaceVpcEndpointAwsService.ECR_DOCKER)) {
            InterfaceVpcEndpoint.Builder.create(this, service.getShortName())
                    .vpc(vpc).service(service).subnets(isolated).privateDnsEnabled(true)
                    .securityGroups(List.of(group)).open(false).build();
        }
        GatewayVpcEndpoint s3 = GatewayVpcEndpoint.Builder.create(this, "S3")
                .vpc(vpc).service(GatewayVpcEndpointAwsService.S3).subnets(List.of(isolated)).build();
        s3.addToPolicy(PolicyStatement.Builder.create()
                .principals(List.of(new AnyPrincipal()))
                .actions(List.of("s3:GetObject"))
                .resources(List.of("arn:" + getPartition() + ":s3:::prod-" + getRegion() + "-starport-layer-bucket/*"))
                .build());

        ISubnet publicSubnet = vpc.getPublicSubnets().get(0);
        CfnEIP eip = CfnEIP.Builder.create(this, "NatEip").domain("vpc").build();
        CfnNatGateway nat = CfnNatGateway.Builder.create(this, "Nat")
                .subnetId(publicSubnet.getSubnetId()).allocationId(eip.getAttrAllocationId()).build();
        nat.getNode().addDependency(publicSubnet.getInternetConnectivityEstablished());
        for (ISubnet subnet : vpc.getIsolatedSubnets()) {
            CfnRoute.Builder.create(this, "NatRoute" + subnet.getNode().getId())
                    .routeTableId(subnet.getRouteTable().getRouteTableId())
                    .destinationCidrBlock("0.0.0.0/0").natGatewayId(nat.getRef()).build();
        }

        String host = getAccount() + ".dkr.ecr." + getRegion() + "." + getUrlSuffix();
        CfnOutput.Builder.create(this, "RegistryUri").value(host).build();
        for (Map.Entry<String, String> upstream : Map.of("ecr-public", "public.ecr.aws", "quay", "quay.io",
                "k8s", "registry.k8s.io").entrySet()) {
            String prefix = upstream.getKey();
            CfnRepositoryCreationTemplate template = CfnRepositoryCreationTemplate.Builder.create(this, prefix + "Template")
                    .prefix(prefix)
                    .appliedFor(List.of("PULL_THROUGH_CACHE"))
                    .encryptionConfiguration(CfnRepositoryCreationTemplate.EncryptionConfigurationProperty.builder()
                            .encryptionType("AES256").build())
                    .imageTagMutability("MUTABLE")
                    .lifecyclePolicy(LIFECYCLE_POLICY)
                    .description("Repositories cached from " + upstream.getValue())
                    .build();
            CfnPullThroughCacheRule rule = CfnPullThroughCacheRule.Builder.create(this, prefix + "Rule")
                    .ecrRepositoryPrefix(prefix)
                    .upstreamRegistry(prefix)
                    .upstreamRegistryUrl(upstream.getValue())
                    .build();
            rule.getNode().addDependency(template);
            CfnOutput.Builder.create(this, prefix + "Prefix").value(host + "/" + prefix).build();
        }
    }
}
