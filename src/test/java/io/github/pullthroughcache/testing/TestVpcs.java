package io.github.pullthroughcache.testing;

import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.CacheVpcProps;
import software.amazon.awscdk.Stack;

/**
 * VPCs for network tests. Give them environment-agnostic stacks: a stack with an account and region would look
 * its availability zones up (a context lookup), and hard-coded zones are a CloudFormation validation warning.
 */
public final class TestVpcs {

    private TestVpcs() {
    }

    /**
     * The cache's own VPC: public subnets (for a NAT gateway) and isolated subnets, no NAT gateway, in two
     * availability zones, with its rejected traffic flow-logged.
     *
     * @param stack the stack
     * @param id the construct id
     * @return the VPC, CIDR 10.0.0.0/16
     */
    public static CacheVpc publicAndIsolated(Stack stack, String id) {
        return new CacheVpc(stack, id, CacheVpcProps.builder().build());
    }
}
