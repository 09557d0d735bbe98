package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.CacheVpcProps;
import io.github.pullthroughcache.network.RegistryEndpoints;
import io.github.pullthroughcache.network.RegistryEndpointsProps;
import io.github.pullthroughcache.network.TemporaryNatGateway;
import io.github.pullthroughcache.network.TemporaryNatGatewayProps;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.constructs.Construct;

/**
 * The private network of a cache: a VPC whose isolated subnets reach ECR through the ecr.api and ecr.dkr
 * endpoints and the S3 gateway (plus CloudWatch Logs, for Fargate task logs), and a temporary NAT gateway for
 * the first pulls, with flow logs and a saved query of what still goes through it. The VPC's public subnets
 * exist for the NAT gateway and stay when it goes: removing {@code TemporaryNat} removes only the NAT gateway,
 * its Elastic IP, its routes and its flow log.
 *
 * <p>Environment-agnostic on purpose: the VPC takes its availability zones from {@code Fn::GetAZs} at deploy
 * time, with no context lookup at synth.
 */
public class NetworkExampleStack extends Stack {

    /**
     * @param scope the app
     * @param id the stack id
     */
    public NetworkExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("VPC endpoints for Amazon ECR pull through cache, and a temporary NAT gateway")
                .build());

        CacheVpc vpc = new CacheVpc(this, "Vpc", CacheVpcProps.builder().cidr("10.20.0.0/16").build());

        RegistryEndpoints endpoints = new RegistryEndpoints(this, "Endpoints", RegistryEndpointsProps.builder()
                .vpc(vpc)
                .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))
                .build());
        TemporaryNatGateway nat = new TemporaryNatGateway(this, "TemporaryNat", TemporaryNatGatewayProps.builder()
                .vpc(vpc)
                .flowLogs(true)
                .build());

        CfnOutput.Builder.create(this, "EndpointSecurityGroup").value(endpoints.getSecurityGroup().getSecurityGroupId())
                .description("Lets HTTPS in from the VPC to its interface endpoints").build();
        CfnOutput.Builder.create(this, "NatPublicIp").value(nat.getPublicIp())
                .description("Where first pulls come from while the temporary NAT gateway exists").build();
        CfnOutput.Builder.create(this, "NatBytesByDestinationQuery").value(nat.getBytesByDestination().getQueryDefinitionId())
                .description("Logs Insights query: the bytes the NAT gateway still sends, per remote address").build();
        CfnOutput.Builder.create(this, "NatBytesBySourceQuery").value(nat.getBytesBySource().getQueryDefinitionId())
                .description("Logs Insights query: the bytes the NAT gateway still downloads, per remote address").build();
    }
}
