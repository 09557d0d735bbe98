package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.constructs.Construct;

/**
 * A cache for a VPC that exists already, imported by its attributes (no lookup): the endpoints go into its
 * isolated subnets and the S3 gateway onto their route tables. Replace the ids with yours, or deploy
 * {@code PullThroughCacheStack} with {@code -c vpc='{"vpcId": ...}'}.
 */
public class ExistingVpcExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     */
    public ExistingVpcExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Amazon ECR pull through cache for an existing VPC")
                .build());

        IVpc vpc = Vpc.fromVpcAttributes(this, "Vpc", VpcAttributes.builder()
                .vpcId("vpc-0123456789abcdef0")
                .vpcCidrBlock("10.30.0.0/16")
                .availabilityZones(List.of("eu-west-1a", "eu-west-1b"))
                .isolatedSubnetIds(List.of("subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"))
                .isolatedSubnetRouteTableIds(List.of("rtb-0aaaaaaaaaaaaaaa1", "rtb-0aaaaaaaaaaaaaaa2"))
                .build());
        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .vpc(vpc)
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.KUBERNETES))
                .build());

        CfnOutput.Builder.create(this, "EndpointSecurityGroup")
                .value(cache.getEndpoints().getSecurityGroup().getSecurityGroupId())
                .description("Lets HTTPS in from the VPC to the ECR endpoints").build();
    }
}
