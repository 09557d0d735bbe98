package io.github.pullthroughcache.network;

import io.github.pullthroughcache.internal.ConstructIds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpoint;
import software.amazon.awscdk.services.ec2.GatewayVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpoint;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.AnyPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.Construct;

/**
 * The VPC endpoints that let tasks with no route to the internet pull through the cache: {@code ecr.api}
 * (authentication and API calls) and {@code ecr.dkr} (the Docker registry API) as interface endpoints with
 * private DNS, and an S3 gateway endpoint for the image layers, which ECR serves from S3.
 *
 * <pre>
 * RegistryEndpoints endpoints = new RegistryEndpoints(this, "Endpoints", RegistryEndpointsProps.builder()
 *     .vpc(vpc)
 *     .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))
 *     .build());
 * </pre>
 *
 * <p>Children: {@code SecurityGroup} (TCP 443 in from the VPC's CIDR, nothing else in, nothing out),
 * {@code EcrApi}, {@code EcrDkr}, {@code S3Gateway}, and one endpoint per additional service named after it
 * ({@code Logs}, {@code Sts}, {@code Secretsmanager}).
 *
 * <p>Only the VPC's primary CIDR may connect: clients in a secondary CIDR block need a rule of their own on
 * {@link #getSecurityGroup()}.
 */
public class RegistryEndpoints extends Construct {

    /** The short names of {@link InterfaceVpcEndpointAwsService#ECR} and {@code ECR_DOCKER}, held in Java. */
    private static final String ECR_API = "ecr.api";
    private static final String ECR_DKR = "ecr.dkr";

    private final List<String> alsoAllowedRegistries;
    private final IVpc vpc;
    private final SubnetSelection subnets;
    private final SecurityGroup securityGroup;
    private final InterfaceVpcEndpoint ecrApiEndpoint;
    private final InterfaceVpcEndpoint ecrDkrEndpoint;
    private final GatewayVpcEndpoint s3GatewayEndpoint;
    private final Map<String, InterfaceVpcEndpoint> additionalEndpoints = new LinkedHashMap<>();

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the VPC and which endpoints
     */
    public RegistryEndpoints(Construct scope, String id, RegistryEndpointsProps props) {
        super(scope, id);
        if (props.getVpc() == null) {
            throw new IllegalArgumentException("RegistryEndpointsProps.vpc is required: the VPC whose tasks pull "
                    + "through the cache");
        }
        this.vpc = props.getVpc();
        this.alsoAllowedRegistries = props.getAlsoAllowedRegistries();
        this.subnets = props.getSubnets() != null
                ? props.getSubnets() : VpcSubnets.privateOrIsolated("RegistryEndpointsProps.subnets", vpc);
        checkAdditionalServices(props);

        boolean interfaces = props.isEcrApi() || props.isEcrDkr() || !props.getAdditionalServices().isEmpty();
        this.securityGroup = interfaces ? createSecurityGroup() : null;
        this.ecrApiEndpoint = props.isEcrApi()
                ? createInterface(InterfaceVpcEndpointAwsService.ECR, ECR_API, props.isRestrictToThisRegistry()) : null;
        this.ecrDkrEndpoint = props.isEcrDkr()
                ? createInterface(InterfaceVpcEndpointAwsService.ECR_DOCKER, ECR_DKR, props.isRestrictToThisRegistry())
                : null;
        for (InterfaceVpcEndpointAwsService service : props.getAdditionalServices()) {
            String shortName = service.getShortName();
            additionalEndpoints.put(shortName, createInterface(service, shortName, false));
        }
        this.s3GatewayEndpoint = props.isS3Gateway() ? createS3Gateway() : null;
    }

    private static void checkAdditionalServices(RegistryEndpointsProps props) {
        List<String> seen = new ArrayList<>(List.of(ECR_API, ECR_DKR));
        for (InterfaceVpcEndpointAwsService service : props.getAdditionalServices()) {
            String shortName = service.getShortName();
            if (seen.contains(shortName)) {
                throw new IllegalArgumentException("RegistryEndpointsProps.additionalServices lists '"
                        + shortName + "' " + (seen.indexOf(shortName) < 2
                        ? "which is one of the registry's own endpoints (see ecrApi and ecrDkr)" : "twice")
                        + ": a VPC takes one private-DNS endpoint per service");
            }
            seen.add(shortName);
        }
    }

    private SecurityGroup createSecurityGroup() {
        SecurityGroup group = SecurityGroup.Builder.create(this, "SecurityGroup")
                .vpc(vpc)
                .description("HTTPS from the VPC to its ECR and other interface endpoints")
                // endpoints answer connections and start none
                .allowAllOutbound(false)
                .build();
        group.addIngressRule(Peer.ipv4(VpcSubnets.cidr(vpc)), Port.tcp(443), "HTTPS from the VPC");
        return group;
    }

    private InterfaceVpcEndpoint createInterface(InterfaceVpcEndpointAwsService service, String shortName,
            boolean restricted) {
        InterfaceVpcEndpoint endpoint = InterfaceVpcEndpoint.Builder.create(this, ConstructIds.pascalCase(shortName))
                .vpc(vpc)
                .service(service)
                .subnets(subnets)
                .privateDnsEnabled(true)
                .securityGroups(List.of(securityGroup))
                .open(false)
                .build();
        if (restricted) {
            Stack stack = Stack.of(this);
            AccountPrincipal thisAccount = new AccountPrincipal(stack.getAccount());
            List<String> registries = new ArrayList<>(List.of(stack.formatArn(ArnComponents.builder()
                    .service("ecr").resource("repository").resourceName("*").build())));
            for (String account : alsoAllowedRegistries) {
                registries.add(stack.formatArn(ArnComponents.builder()
                        .service("ecr").account(account).resource("repository").resourceName("*").build()));
            }
            endpoint.addToPolicy(PolicyStatement.Builder.create()
                    .sid("ThisRegistryOnly")
                    .principals(List.of(thisAccount))
                    .actions(List.of("ecr:*"))
                    .resources(registries)
                    .build());
            endpoint.addToPolicy(PolicyStatement.Builder.create()
                    .sid("Authenticate")
                    .principals(List.of(thisAccount))
                    .actions(List.of("ecr:GetAuthorizationToken"))
                    .resources(List.of("*"))
                    .build());
        }
        return endpoint;
    }

    private GatewayVpcEndpoint createS3Gateway() {
        Stack stack = Stack.of(this);
        GatewayVpcEndpoint endpoint = GatewayVpcEndpoint.Builder.create(this, "S3Gateway")
                .vpc(vpc)
                .service(GatewayVpcEndpointAwsService.S3)
                .subnets(List.of(subnets))
                .build();
        // any principal: the layer URLs ECR hands out are presigned by ECR, not by the caller's account
        endpoint.addToPolicy(PolicyStatement.Builder.create()
                .sid("EcrImageLayersOnly")
                .principals(List.of(new AnyPrincipal()))
                .actions(List.of("s3:GetObject"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("s3").region("").account("")
                        .resource("prod-" + stack.getRegion() + "-starport-layer-bucket").resourceName("*").build())))
                .build());
        return endpoint;
    }

    /** @return the VPC */
    public IVpc getVpc() {
        return vpc;
    }

    /** @return the subnets of the endpoints */
    public SubnetSelection getSubnets() {
        return subnets;
    }

    /** @return the security group of the interface endpoints, or {@code null} when none is created */
    public SecurityGroup getSecurityGroup() {
        return securityGroup;
    }

    /** @return the ecr.api endpoint, or {@code null} when skipped */
    public InterfaceVpcEndpoint getEcrApiEndpoint() {
        return ecrApiEndpoint;
    }

    /** @return the ecr.dkr endpoint, or {@code null} when skipped */
    public InterfaceVpcEndpoint getEcrDkrEndpoint() {
        return ecrDkrEndpoint;
    }

    /** @return the S3 gateway endpoint, or {@code null} when skipped */
    public GatewayVpcEndpoint getS3GatewayEndpoint() {
        return s3GatewayEndpoint;
    }

    /** @return the additional interface endpoints, by the service's short name (such as {@code logs}) */
    public Map<String, InterfaceVpcEndpoint> getAdditionalEndpoints() {
        return Collections.unmodifiableMap(additionalEndpoints);
    }
}
