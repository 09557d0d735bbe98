package io.github.pullthroughcache.network;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.ec2.FlowLogResourceType;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.IpAddresses;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcProps;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * A VPC made for a pull through cache: isolated subnets ({@code Isolated}, /20) for the tasks that pull, and
 * public subnets ({@code Public}, /24, no public IPs on launch) that hold nothing until a
 * {@link TemporaryNatGateway} goes there, so that adding or removing the NAT gateway never moves a subnet. No
 * NAT gateway of its own. With {@link CacheVpcProps#isPublicSubnets()} {@code false}, isolated subnets only: no
 * internet gateway and no route to {@code 0.0.0.0/0}. Rejected traffic is flow-logged (child {@code FlowLog}): a
 * task that cannot reach an endpoint shows there.
 *
 * <p>Its availability zones are {@link CacheVpcProps#getAvailabilityZones()}, else the first {@code maxAzs} of
 * {@link software.amazon.awscdk.Stack#getAvailabilityZones()}. Like any {@link Vpc} it reads the stack's zones,
 * which in a stack with an account and region is a context lookup (AWS credentials at the first
 * {@code cdk synth}, or a {@code cdk.context.json} entry), unless the stack overrides
 * {@code getAvailabilityZones()} with {@link #zonesResolvedAtDeploy(int)}, as {@code PullThroughCacheStack} does.
 */
public class CacheVpc extends Vpc {

    /** The name of the isolated subnet group. */
    public static final String ISOLATED = "Isolated";
    /** The name of the public subnet group. */
    public static final String PUBLIC = "Public";

    private final String cidr;
    private final LogGroup flowLogGroup;

    /**
     * A VPC with every prop at its default.
     *
     * @param scope the parent
     * @param id the construct id
     */
    public CacheVpc(Construct scope, String id) {
        this(scope, id, CacheVpcProps.builder().build());
    }

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the CIDR, zones and flow log
     */
    public CacheVpc(Construct scope, String id, CacheVpcProps props) {
        super(scope, id, VpcProps.builder()
                .ipAddresses(IpAddresses.cidr(props.getCidr()))
                // Vpc takes one or the other
                .maxAzs(props.getAvailabilityZones() == null ? props.getMaxAzs() : null)
                .availabilityZones(props.getAvailabilityZones())
                .natGateways(0)
                .subnetConfiguration(List.of(
                        // reserved: no subnets and no internet gateway, and the isolated subnets keep their CIDRs
                        SubnetConfiguration.builder().name(PUBLIC).subnetType(SubnetType.PUBLIC).cidrMask(24)
                                .mapPublicIpOnLaunch(false).reserved(!props.isPublicSubnets()).build(),
                        SubnetConfiguration.builder().name(ISOLATED).subnetType(SubnetType.PRIVATE_ISOLATED)
                                .cidrMask(20).build()))
                .build());
        this.cidr = props.getCidr();
        if (props.getAvailabilityZones() != null) {
            // CloudFormation's own rules warn of zone names in a template; here they are the user's choice
            Validations.of(this).acknowledge(Acknowledgment.builder().id("CloudFormation-Validate::W3010")
                    .reason("The zones are chosen: CacheVpcProps.availabilityZones").build());
        }
        // cdk-nag reads acknowledgements from this metadata, on this VPC only
        Map<String, String> acknowledged = new java.util.LinkedHashMap<>(Map.of(
                "NIST.800.53.R5-VPCDefaultSecurityGroupClosed", "Nothing in this VPC uses its default security "
                        + "group: the endpoints, the NAT gateway and the tasks have their own"));
        if (props.isPublicSubnets()) {
            acknowledged.put("NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW", "The public subnets exist for the "
                    + "temporary NAT gateway alone and give no public IP on launch");
        }
        getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, acknowledged);
        this.flowLogGroup = props.isFlowLogs()
                ? FlowLogs.create(new Construct(this, "FlowLog"), FlowLogResourceType.fromVpc(this),
                        FlowLogTrafficType.REJECT, props.getFlowLogRetention(), "the traffic the cache's VPC rejects")
                : null;
    }

    /**
     * The region's first zones as {@code Fn::GetAZs} tokens, which CloudFormation resolves at deploy: what a stack
     * with an account and region returns from {@code getAvailabilityZones()} to synthesize its VPCs with no context
     * lookup and no AWS credentials.
     *
     * <pre>
     * public class MyStack extends Stack {
     *     &#64;Override
     *     public List&lt;String&gt; getAvailabilityZones() {
     *         return CacheVpc.zonesResolvedAtDeploy(2);
     *     }
     * }
     * </pre>
     *
     * @param count how many, from the first: 1 to 3. Each Region has at least three zones
     *     (https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html), but
     *     some older accounts see only two in us-west-1: there a third fails at deploy
     * @return {@code [Fn::Select [0, Fn::GetAZs ""]], ...}
     */
    public static List<String> zonesResolvedAtDeploy(int count) {
        if (count < 1 || count > 3) {
            throw new IllegalArgumentException("CacheVpc.zonesResolvedAtDeploy count is " + count + ": expected 1 "
                    + "to 3, the zones every Region has");
        }
        List<String> zones = Fn.getAzs();
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> Fn.select(i, zones)).toList();
    }

    /** @return the VPC's CIDR block, as given */
    public String getCidr() {
        return cidr;
    }

    /** @return the log group of rejected traffic, or {@code null} without flow logs */
    public LogGroup getFlowLogGroup() {
        return flowLogGroup;
    }
}
