package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.kubernetes.RegistryMirrors;
import io.github.pullthroughcache.network.RegistryEndpointsOptions;
import io.github.pullthroughcache.rule.UpstreamCredentialSecret;
import io.github.pullthroughcache.rule.UpstreamCredentialSecretProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.ec2.BlockDevice;
import software.amazon.awscdk.services.ec2.BlockDeviceVolume;
import software.amazon.awscdk.services.ec2.EbsDeviceOptions;
import software.amazon.awscdk.services.ec2.EbsDeviceVolumeType;
import software.amazon.awscdk.services.ec2.ISubnet;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MultipartUserData;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.eks.CfnAccessEntry;
import software.amazon.awscdk.services.eks.CfnCluster;
import software.amazon.awscdk.services.eks.CfnNodegroup;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.constructs.Construct;

/**
 * An EKS cluster with no route to the internet and no NAT gateway, whose nodes pull the public images of their
 * workloads, unchanged ({@code nginx:1.27}, {@code quay.io/...}, {@code registry.k8s.io/...}), through the cache:
 * an Amazon Linux 2023 managed node group whose launch template carries {@code amazonLinux2023UserData()} and a
 * Bottlerocket one carrying {@code bottlerocketSettings()}. The API endpoint is private, in the cache's isolated
 * subnets; the interface endpoints are those the EKS private-cluster guide lists for nodes
 * (https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html: ec2 for the optimized AMIs' node names,
 * ecr.api, ecr.dkr and the S3 gateway for images, sts, eks and eks-auth). The cache warms the workloads' images
 * before the node groups start, from outside the VPC.
 */
public class EksExampleStack extends Stack {

    /** The images the cluster's workloads run, warmed at deployment. */
    public static final List<String> IMAGES = List.of(
            "nginx:1.27",
            "quay.io/prometheus/node-exporter:v1.9.1",
            "registry.k8s.io/pause:3.10");

    /** The Kubernetes version of the cluster. */
    public static final String KUBERNETES_VERSION = "1.33";

    /**
     * @param scope the app
     * @param id the stack id
     */
    public EksExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("A private EKS cluster whose nodes pull Docker Hub, Quay and registry.k8s.io images "
                        + "through Amazon ECR pull through cache: no NAT gateway")
                .build());

        UpstreamCredentialSecret dockerHub = new UpstreamCredentialSecret(this, "DockerHubCredential",
                UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-docker-hub-user").build());
        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.dockerHub(dockerHub.getSecret()), UpstreamRegistry.QUAY,
                        UpstreamRegistry.KUBERNETES))
                .endpointOptions(RegistryEndpointsOptions.builder()
                        .additionalServices(List.of(InterfaceVpcEndpointAwsService.EC2, InterfaceVpcEndpointAwsService.STS,
                                InterfaceVpcEndpointAwsService.EKS, InterfaceVpcEndpointAwsService.EKS_AUTH))
                        .build())
                .build());
        cache.warm(IMAGES.toArray(String[]::new));
        List<String> subnets = cache.getVpc().selectSubnets(SubnetSelection.builder()
                .subnetType(SubnetType.PRIVATE_ISOLATED).build()).getSubnets().stream().map(ISubnet::getSubnetId).toList();

        Role clusterRole = Role.Builder.create(this, "ClusterRole")
                .assumedBy(new ServicePrincipal("eks.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("AmazonEKSClusterPolicy")))
                .build();
        CfnCluster cluster = CfnCluster.Builder.create(this, "Cluster")
                .version(KUBERNETES_VERSION)
                .roleArn(clusterRole.getRoleArn())
                .resourcesVpcConfig(CfnCluster.ResourcesVpcConfigProperty.builder()
                        .subnetIds(subnets)
                        .endpointPrivateAccess(true)
                        .endpointPublicAccess(false)
                        .build())
                .accessConfig(CfnCluster.AccessConfigProperty.builder().authenticationMode("API").build())
                .logging(CfnCluster.LoggingProperty.builder()
                        .clusterLogging(CfnCluster.ClusterLoggingProperty.builder()
                                .enabledTypes(List.of("api", "audit", "authenticator", "controllerManager", "scheduler")
                                        .stream().map(type -> CfnCluster.LoggingTypeConfigProperty.builder().type(type).build())
                                        .toList())
                                .build())
                        .build())
                .build();
        // cdk-nag reads acknowledgements from this metadata, on this role only
        clusterRole.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]",
                "The policy EKS documents for a cluster role; AWS keeps it in step with what the control plane calls"));

        Role admin = Role.Builder.create(this, "AdminRole").assumedBy(new AccountRootPrincipal())
                .description("Administers the example cluster (kubectl from inside the VPC: the endpoint is private)")
                .build();
        CfnAccessEntry.Builder.create(this, "AdminAccess")
                .clusterName(cluster.getRef())
                .principalArn(admin.getRoleArn())
                .accessPolicies(List.of(CfnAccessEntry.AccessPolicyProperty.builder()
                        .policyArn("arn:" + getPartition() + ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
                        .accessScope(CfnAccessEntry.AccessScopeProperty.builder().type("cluster").build())
                        .build()))
                .build();

        // the nodes: pulls of the mirrored hosts through the cache, and of EKS's own add-on images from its registries
        Role nodeRole = Role.Builder.create(this, "NodeRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .managedPolicies(List.of(ManagedPolicy.fromAwsManagedPolicyName("AmazonEKSWorkerNodePolicy"),
                        ManagedPolicy.fromAwsManagedPolicyName("AmazonEKS_CNI_Policy"),
                        ManagedPolicy.fromAwsManagedPolicyName("AmazonEC2ContainerRegistryPullOnly")))
                .build();
        RegistryMirrors mirrors = cache.registryMirrors();
        // the Amazon Linux 2023 nodes in one call: the node role's pulls, the user data, a wait for the warm-up
        LaunchTemplate al2023Nodes = launchTemplate("AmazonLinux2023Nodes", new MultipartUserData());
        mirrors.configureNodes(al2023Nodes, nodeRole);
        // cdk-nag reads acknowledgements from this metadata, on this role only
        nodeRole.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource scope",
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]",
                "The policy EKS documents for a node role: the kubelet's calls to EKS and EC2",
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKS_CNI_Policy]",
                "The policy the VPC CNI plugin documents for the node's network interfaces",
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly]",
                "Pulls of EKS's own add-on images (VPC CNI, kube-proxy, CoreDNS) from the EKS registries of other "
                        + "accounts, which no prefix of the cache covers",
                "NIST.800.53.R5-IAMNoInlinePolicy", "The cache's grantPull keeps the node role's grants in its default "
                        + "policy, scoped to the mirrored prefixes"));

        CfnNodegroup al2023 = nodegroup(cluster, nodeRole, subnets, "AmazonLinux2023", "AL2023_x86_64_STANDARD",
                al2023Nodes);
        CfnNodegroup bottlerocket = nodegroup(cluster, nodeRole, subnets, "Bottlerocket", "BOTTLEROCKET_x86_64",
                launchTemplate("BottlerocketNodes", UserData.custom(mirrors.bottlerocketSettings())));
        // the nodes join through the endpoints, and their first pulls find the images already cached
        for (CfnNodegroup nodes : List.of(al2023, bottlerocket)) {
            nodes.getNode().addDependency(cache.getEndpoints(), cache.getWarmUp());
        }

        CfnOutput.Builder.create(this, "ClusterName").value(cluster.getRef())
                .description("aws eks update-kubeconfig --name <this>, from inside the VPC").build();
        CfnOutput.Builder.create(this, "MirroredHosts").value(String.join(" ", mirrors.getHosts()))
                .description("Registries the nodes pull through the cache, image references unchanged").build();
    }

    private LaunchTemplate launchTemplate(String id, UserData userData) {
        return LaunchTemplate.Builder.create(this, id)
                .userData(userData)
                .requireImdsv2(true)
                // pods on the nodes reach the instance metadata through one more hop
                .httpPutResponseHopLimit(2)
                .blockDevices(List.of(BlockDevice.builder().deviceName("/dev/xvda")
                        .volume(BlockDeviceVolume.ebs(40, EbsDeviceOptions.builder().encrypted(true)
                                .volumeType(EbsDeviceVolumeType.GP3).build()))
                        .build()))
                .build();
    }

    private CfnNodegroup nodegroup(CfnCluster cluster, Role nodeRole, List<String> subnets, String id, String amiType,
                                   LaunchTemplate launchTemplate) {
        return CfnNodegroup.Builder.create(this, id)
                .clusterName(cluster.getRef())
                .nodeRole(nodeRole.getRoleArn())
                .subnets(subnets)
                .amiType(amiType)
                .instanceTypes(List.of("m6i.large"))
                .scalingConfig(CfnNodegroup.ScalingConfigProperty.builder().minSize(1).desiredSize(2).maxSize(3).build())
                .launchTemplate(CfnNodegroup.LaunchTemplateSpecificationProperty.builder()
                        .id(launchTemplate.getLaunchTemplateId())
                        .version(launchTemplate.getLatestVersionNumber())
                        .build())
                .labels(Map.of("pull-through-cache/os", id.toLowerCase(java.util.Locale.ROOT)))
                .build();
    }
}
