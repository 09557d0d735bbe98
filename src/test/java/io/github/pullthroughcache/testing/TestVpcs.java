package io.github.pullthroughcache.testing;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;

/**
 * VPCs for network tests. Give them environment-agnostic stacks: a stack with an account and region would look
 * its availability zones up (a context lookup), and hard-coded zones are a CloudFormation validation warning.
 */
public final class TestVpcs {

    private TestVpcs() {
    }

    /**
     * A VPC shaped like the cache's: public subnets (for a NAT gateway) and isolated subnets, no NAT gateway,
     * in two availability zones. Its findings that belong to the VPC, not to the constructs under test, are
     * acknowledged on it.
     *
     * @param stack the stack
     * @param id the construct id
     * @return the VPC, CIDR 10.0.0.0/16
     */
    public static Vpc publicAndIsolated(Stack stack, String id) {
        Vpc.Builder vpc = Vpc.Builder.create(stack, id)
                .ipAddresses(IpAddresses.cidr("10.0.0.0/16"))
                .natGateways(0)
                .subnetConfiguration(List.of(
                        SubnetConfiguration.builder().name("Public").subnetType(SubnetType.PUBLIC).cidrMask(24)
                                .mapPublicIpOnLaunch(false).build(),
                        SubnetConfiguration.builder().name("Isolated").subnetType(SubnetType.PRIVATE_ISOLATED)
                                .cidrMask(20).build()));
        Vpc created = vpc.maxAzs(2).build();
        created.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-VPC7", "test VPC: flow logs are not under test here",
                "NIST.800.53.R5-VPCFlowLogsEnabled", "test VPC: flow logs are not under test here",
                "NIST.800.53.R5-VPCDefaultSecurityGroupClosed", "test VPC: its default security group is unused",
                "NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW", "test VPC: its public subnets are for a NAT gateway"));
        return created;
    }
}
