package io.github.pullthroughcache.network;

import io.github.pullthroughcache.internal.Tokens;
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
        if (vpc instanceof CacheVpc cacheVpc) {
            return cacheVpc.getCidr();
        }
        String cidr = vpc.getVpcCidrBlock();
        if (!Tokens.isUnresolved(cidr)) {
            return cidr;
        }
        IConstruct child = vpc.getNode().getDefaultChild();
        String literal = child instanceof CfnVPC resource ? resource.getCidrBlock() : null;
        return literal != null && !Tokens.isUnresolved(literal) ? literal : cidr;
    }
}
