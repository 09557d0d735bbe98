package io.github.pullthroughcache.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.CfnEIP;
import software.amazon.awscdk.services.ec2.CfnNatGateway;
import software.amazon.awscdk.services.ec2.CfnRoute;
import software.amazon.awscdk.services.ec2.FlowLogResourceType;
import software.amazon.awscdk.services.ec2.FlowLogTrafficType;
import software.amazon.awscdk.services.ec2.IRouteTable;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.QueryDefinition;
import software.amazon.awscdk.services.logs.QueryString;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * A NAT gateway for the first pulls through the cache, made to be removed: ECR may send a client that pulls an
 * image for the first time to the upstream's CDN, which needs a route to the internet; once the cache holds
 * the image, the VPC endpoints are enough.
 *
 * <p>It adds one NAT gateway (child {@code Resource}) with its Elastic IP ({@code Eip}) in a public subnet, and a
 * {@code 0.0.0.0/0} route to it ({@code Route<subnet id>}) on each selected route table. That is all it adds,
 * so removing it removes only those: subnets, route tables and their CIDRs never move. With
 * {@link TemporaryNatGatewayProps.Builder#flowLogs(boolean)}, child {@code FlowLog} holds the flow log of the
 * NAT gateway's subnet, its log group, role and two saved queries: the bytes the NAT gateway sent to each address
 * outside the VPC, and the bytes it received from each (the image layers a first pull downloads).
 *
 * <p>While it exists, synthesis warns that it bills by the hour.
 */
public class TemporaryNatGateway extends Construct {

    private final IVpc vpc;
    private final ISubnet publicSubnet;
    private final CfnEIP eip;
    private final CfnNatGateway resource;
    private final List<CfnRoute> routes = new ArrayList<>();
    private LogGroup flowLogGroup;
    private QueryDefinition bytesByDestination;
    private QueryDefinition bytesBySource;

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the VPC and the subnets
     */
    public TemporaryNatGateway(Construct scope, String id, TemporaryNatGatewayProps props) {
        super(scope, id);
        if (props.getVpc() == null) {
            throw new IllegalArgumentException("TemporaryNatGatewayProps.vpc is required: the VPC whose isolated "
                    + "subnets need egress for the first pulls");
        }
        this.vpc = props.getVpc();
        this.publicSubnet = publicSubnet(props.getPublicSubnet());
        Map<ISubnet, String> privateSubnets = privateSubnets(props.getPrivateSubnets());

        this.eip = CfnEIP.Builder.create(this, "Eip").domain("vpc").build();
        this.resource = CfnNatGateway.Builder.create(this, "Resource")
                .subnetId(publicSubnet.getSubnetId())
                .allocationId(eip.getAttrAllocationId())
                .build();
        // the NAT gateway forwards nothing until its subnet reaches the internet gateway
        resource.getNode().addDependency(publicSubnet.getInternetConnectivityEstablished());

        String natGatewayId = resource.getRef();
        Set<String> routeTables = new LinkedHashSet<>();
        for (Map.Entry<ISubnet, String> subnet : privateSubnets.entrySet()) {
            String routeTableId = subnet.getValue();
            if (routeTables.add(routeTableId)) {
                routes.add(CfnRoute.Builder.create(this, "Route" + subnet.getKey().getNode().getId())
                        .routeTableId(routeTableId)
                        .destinationCidrBlock("0.0.0.0/0")
                        .natGatewayId(natGatewayId)
                        .build());
            }
        }
        if (props.isFlowLogs()) {
            createFlowLog(props.getFlowLogRetention() != null ? props.getFlowLogRetention() : RetentionDays.ONE_YEAR);
        }
        Annotations.of(this).addWarningV2("@pullthroughcache/temporary-nat:billing", "TemporaryNatGateway "
                + getNode().getPath() + " bills by the hour and per GB processed while it exists. Once the first "
                + "pulls have filled the cache, remove it from the app and deploy again: only the NAT gateway, its "
                + "Elastic IP, its routes (and its flow log) go.");
    }

    private ISubnet publicSubnet(SubnetSelection selection) {
        // the VPC's own lists when nothing is selected: selectSubnets costs several jsii round trips
        List<ISubnet> selected = selection != null ? vpc.selectSubnets(selection).getSubnets() : vpc.getPublicSubnets();
        if (selected.isEmpty()) {
            String missing = "TemporaryNatGateway " + getNode().getPath() + " needs a public subnet (one routed to an "
                    + "internet gateway) in VPC " + vpc.getNode().getPath() + ", which has none: ";
            throw new IllegalArgumentException(selection != null
                    ? "TemporaryNatGatewayProps.publicSubnet selects no subnet of VPC " + vpc.getNode().getPath()
                    // an imported VPC has the subnets its attributes name, whatever the real VPC holds
                    : !(vpc instanceof Vpc) ? missing + "give Vpc.fromVpcAttributes its public subnets "
                            + "(publicSubnetIds and publicSubnetRouteTableIds), or select one with "
                            + "TemporaryNatGatewayOptions.publicSubnet (PullThroughCacheProps.temporaryNatOptions), or "
                            + "go without a NAT gateway: temporaryNat(false), and the cache's warmer fills the cache "
                            + "from outside the VPC"
                    : missing + "add a PUBLIC subnet configuration to the VPC (it costs nothing without the NAT "
                            + "gateway), or give TemporaryNatGatewayProps.publicSubnet");
        }
        return selected.get(0);
    }

    /** The subnets that get a route, each with its route table id. */
    private Map<ISubnet, String> privateSubnets(SubnetSelection selection) {
        List<ISubnet> selected = selection != null
                ? vpc.selectSubnets(selection).getSubnets() : vpc.getIsolatedSubnets();
        if (selected.isEmpty()) {
            throw new IllegalArgumentException(selection != null
                    ? "TemporaryNatGatewayProps.privateSubnets selects no subnet of VPC " + vpc.getNode().getPath()
                    : "TemporaryNatGatewayProps.privateSubnets has no default for VPC " + vpc.getNode().getPath()
                            + ": it has no isolated subnets; select the subnets whose route tables need a default "
                            + "route to the NAT gateway");
        }
        Map<ISubnet, String> routeTables = new LinkedHashMap<>();
        for (ISubnet subnet : selected) {
            IRouteTable routeTable = subnet.getRouteTable();
            String routeTableId = routeTable == null ? null : routeTable.getRouteTableId();
            if (routeTableId == null) {
                throw new IllegalArgumentException("TemporaryNatGateway needs the route table of subnet "
                        + subnet.getNode().getPath() + ": import the VPC with its subnets' route table ids "
                        + "(Vpc.fromVpcAttributes isolatedSubnetRouteTableIds or privateSubnetRouteTableIds)");
            }
            routeTables.put(subnet, routeTableId);
        }
        return routeTables;
    }

    private void createFlowLog(RetentionDays retention) {
        Construct scope = new Construct(this, "FlowLog");
        this.flowLogGroup = FlowLogs.create(scope, FlowLogResourceType.fromSubnet(publicSubnet), FlowLogTrafficType.ALL,
                retention, "the temporary NAT gateway's subnet");
        // Flow log records are one direction each, and bytes counts that direction only: downloads arrive in records
        // whose source is the remote host. On the NAT gateway's interface a flow appears twice, as the client's
        // leg (client address to remote) and as the NAT gateway's leg (its own private address to remote); only the
        // NAT gateway's leg is counted, by its address being in the NAT gateway's subnet. Record fields:
        // https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html; NAT gateway records and sample
        // queries: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html and
        // https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-cloudwatch.html
        String vpcCidr = VpcSubnets.cidr(vpc);
        String natCidr = natSubnetCidr();
        String stackName = Stack.of(this).getStackName();
        this.bytesByDestination = natQuery(scope, "BytesByDestination", "pull-through-cache/" + stackName
                + "/nat-bytes-sent-by-destination", "srcAddr", natCidr, "dstAddr", vpcCidr, "bytesSent");
        this.bytesBySource = natQuery(scope, "BytesBySource", "pull-through-cache/" + stackName
                + "/nat-bytes-received-by-source", "dstAddr", natCidr, "srcAddr", vpcCidr, "bytesReceived");
    }

    /** The NAT gateway's subnet's CIDR when known (its leg only), else the VPC's (both legs, so counted twice). */
    private String natSubnetCidr() {
        try {
            String cidr = publicSubnet.getIpv4CidrBlock();
            return cidr != null && !io.github.pullthroughcache.internal.Tokens.isUnresolved(cidr) ? cidr : VpcSubnets.cidr(vpc);
        } catch (RuntimeException unknown) {
            // a subnet imported without its CIDR
            return VpcSubnets.cidr(vpc);
        }
    }

    /** A saved query of the bytes of the NAT gateway's leg in one direction, per remote address (outside the VPC). */
    private QueryDefinition natQuery(Construct scope, String id, String name, String natSide, String natCidr,
            String remoteSide, String vpcCidr, String total) {
        return QueryDefinition.Builder.create(scope, id)
                .queryDefinitionName(name)
                .logGroups(List.of(flowLogGroup))
                .queryString(QueryString.Builder.create()
                        .fields(List.of(natSide, remoteSide, "bytes"))
                        .filterStatements(List.of("action = 'ACCEPT'",
                                "isIpv4InSubnet(" + natSide + ", '" + natCidr + "')",
                                "not isIpv4InSubnet(" + remoteSide + ", '" + vpcCidr + "')"))
                        .statsStatements(List.of("sum(bytes) as " + total + ", count(*) as flows by " + remoteSide))
                        .sort(total + " desc")
                        .limit(100)
                        .build())
                .build();
    }

    /** @return the VPC */
    public IVpc getVpc() {
        return vpc;
    }

    /** @return the public subnet the NAT gateway is in */
    public ISubnet getPublicSubnet() {
        return publicSubnet;
    }

    /** @return the NAT gateway's id */
    public String getNatGatewayId() {
        return resource.getRef();
    }

    /** @return the public IP address that traffic through the NAT gateway comes from */
    public String getPublicIp() {
        return eip.getRef();
    }

    /** @return the default routes, one per route table */
    public List<CfnRoute> getRoutes() {
        return List.copyOf(routes);
    }

    /** @return the flow log's log group, or {@code null} without flow logs */
    public LogGroup getFlowLogGroup() {
        return flowLogGroup;
    }

    /**
     * @return with flow logs, the saved query of the bytes the NAT gateway sent to each address outside the VPC,
     *     else {@code null}
     */
    public QueryDefinition getBytesByDestination() {
        return bytesByDestination;
    }

    /**
     * @return with flow logs, the saved query of the bytes the NAT gateway received from each address outside the
     *     VPC (image layers downloaded from a CDN, mostly), else {@code null}
     */
    public QueryDefinition getBytesBySource() {
        return bytesBySource;
    }

    /** @return the L1 NAT gateway */
    public CfnNatGateway getResource() {
        return resource;
    }
}
