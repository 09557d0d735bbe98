package io.github.pullthroughcache.network;

import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.ec2.CfnVPC;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.constructs.IConstruct;

/** What the network constructs read off a VPC without inspecting tokens. */
final class VpcSubnets {

    private VpcSubnets() {
    }

    /**
     * The VPC's private subnets, else its isolated ones, one per availability zone.
     *
     * @throws IllegalArgumentException when the VPC has neither
     */
    static SubnetSelection privateOrIsolated(String property, IVpc vpc) {
        if (!vpc.getPrivateSubnets().isEmpty()) {
            return SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).onePerAz(true).build();
        }
        if (!vpc.getIsolatedSubnets().isEmpty()) {
            return SubnetSelection.builder().subnetType(SubnetType.PRIVATE_ISOLATED).onePerAz(true).build();
        }
        throw new IllegalArgumentException(property + " has no default for VPC " + vpc.getNode().getPath()
                + ": it has no private or isolated subnets; give the VPC one, or select subnets");
    }

    /**
     * The VPC's primary CIDR as a literal where the construct knows it (a VPC of this app, or one imported with
     * a literal {@code vpcCidrBlock}), so that rules built on it can be evaluated before deployment; else the
     * token.
     */
    static String cidr(IVpc vpc) {
        String cidr = vpc.getVpcCidrBlock();
        if (!Token.isUnresolved(cidr)) {
            return cidr;
        }
        IConstruct child = vpc.getNode().getDefaultChild();
        if (child instanceof CfnVPC resource && resource.getCidrBlock() != null
                && !Token.isUnresolved(resource.getCidrBlock())) {
            return resource.getCidrBlock();
        }
        return cidr;
    }
}
