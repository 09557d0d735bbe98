package io.github.pullthroughcache.readme;

import io.github.pullthroughcache.*;
import io.github.pullthroughcache.images.*;
import io.github.pullthroughcache.kubernetes.*;
import io.github.pullthroughcache.monitoring.*;
import io.github.pullthroughcache.network.*;
import io.github.pullthroughcache.operations.*;
import io.github.pullthroughcache.registry.*;
import io.github.pullthroughcache.rule.*;
import io.github.pullthroughcache.stack.*;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.InterfaceVpcEndpointAwsService;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MultipartUserData;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * Every Java fragment of README.md and of the pages of docs/, compiled with the build and run by {@code ReadmeTest}:
 * the text between {@code tag::<name>[]} and {@code end::<name>[]} is the block marked
 * {@code <!-- fragment: <name> -->}, to the character (less its indentation); the blocks' import lines are imports of
 * this file.
 */
public final class ReadmeFragments {

    /** The README's account and region. */
    static final Environment ENV = Environment.builder().account("111111111111").region("eu-west-1").build();

    private ReadmeFragments() {
    }

    /**
     * Adds a stack per README section to an app.
     *
     * @param app the app
     * @return the stacks
     */
    public static List<Stack> build(App app) {
        // tag::deployable-stack[]
        new PullThroughCacheStack(app, "PullThroughCache", PullThroughCacheStackProps.builder()
                .env(Environment.builder().account("111111111111").region("eu-west-1").build())
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                .temporaryNat(true)
                .build());
        // end::deployable-stack[]
        Stack replicationSource = new Stack(app, "ReadmeReplicationSource", StackProps.builder().env(ENV).build());
        Stack replicationDestination = new Stack(app, "ReadmeReplicationDestination", inAccount("222222222222"));
        replication(replicationSource, replicationDestination);
        return List.of((Stack) app.getNode().findChild("PullThroughCache"), new OneCall(app), new BuildingBlocks(app),
                new ZonesAtDeploy(app, "ReadmeZones", inAccount("121212121212")),
                new RegistryPolicyReplace(app), new PrivateNetwork(app), new Warmer(app), new Imports(app),
                new Sharing(app), new SharingConsumer(app), replicationSource, replicationDestination,
                new KubernetesNodes(app), new DayTwo(app), new Copied(app));
    }

    /** A registry of its own for each stack with rules: one registry takes one rule per prefix. */
    private static StackProps inAccount(String account) {
        return StackProps.builder().env(Environment.builder().account(account).region("eu-west-1").build()).build();
    }

    /** An existing app's main: a refused value is one line. */
    static final class MyApp {
        private MyApp() {
        }

        // tag::own-app-main[]
        public static void main(String[] args) {
            OneLineErrors.run(() -> {            // a refused value: "Error: <message>", exit status 1
                App app = new App(AppProps.builder().stackTraces(false).build());   // see Troubleshooting
                new MyStack(app, "MyStack", StackProps.builder().build());
                app.synth();
            });
        }
        // end::own-app-main[]
    }

    /** The stack of {@link MyApp}. */
    static final class MyStack extends Stack {
        MyStack(Construct scope, String id, StackProps props) {
            super(scope, id, props);
        }
    }

    /** A stack of a fixed account whose VPCs need no lookup, and a CacheVpc with its props. */
    static final class ZonesAtDeploy extends Stack {
        ZonesAtDeploy(Construct scope, String id, StackProps props) {
            super(scope, id, props);
            // tag::cache-vpc[]
            CacheVpc vpc = new CacheVpc(this, "Vpc", CacheVpcProps.builder()
                    .cidr("10.20.0.0/16")                                    // default 10.0.0.0/16
                    .availabilityZones(List.of("eu-west-1a", "eu-west-1c"))  // or maxAzs(3); default: the stack's first two
                    .flowLogRetention(RetentionDays.THREE_MONTHS)            // default one year; flowLogs(false) for none
                    .build());
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .vpc(vpc)
                    .build());
            // end::cache-vpc[]
            cache.getNode();
        }

        // tag::zones-at-deploy[]
        // in your stack class: the region's first two zones, resolved by CloudFormation at deploy
        @Override
        public List<String> getAvailabilityZones() {
            return CacheVpc.zonesResolvedAtDeploy(2);
        }
        // end::zones-at-deploy[]
    }

    /** The cache in one call, with an ECS container and other grants. */
    static final class OneCall extends Stack {
        OneCall(Construct scope) {
            super(scope, "ReadmeOneCall", inAccount("555555555555"));
            FargateTaskDefinition taskDefinition = new FargateTaskDefinition(this, "Task");
            IRole role = new Role(this, "Puller", software.amazon.awscdk.services.iam.RoleProps.builder()
                    .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com")).build());
            // tag::one-call[]
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES))
                    .temporaryNat(true)                       // for the first pulls; see "First pull" below
                    .creationTemplate(CreationTemplateOptions.builder()   // the settings of each cached repository
                            .encryption(TemplateEncryption.KMS_NEW_KEY)   // one customer managed key for all
                            .build())
                    .endpointOptions(RegistryEndpointsOptions.builder()   // the endpoints' settings
                            .restrictToThisRegistry(true)                 // ecr.api and ecr.dkr serve this registry only
                            .build())
                    .build());

            taskDefinition.addContainer("Web", ContainerDefinitionOptions.builder()
                    .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27"))   // grants the execution role
                    .build());
            String uri = cache.imageUri("quay.io/prometheus/prometheus:v3.0.0");   // for anything else
            cache.grantPull(role);                                                // every rule, identity and registry policy
            // end::one-call[]
            uri.length();
            // tag::nag-acknowledgement[]
            role.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
                    Map.of("AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource scope"));
            // end::nag-acknowledgement[]
        }
    }

    /** A central cache shared with an organization. */
    static final class Sharing extends Stack {
        Sharing(Construct scope) {
            super(scope, "ReadmeSharing", inAccount("777777777777"));
            // tag::sharing[]
            // the central account (111111111111, eu-west-1)
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))
                    .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                    .sharedWith(CacheConsumers.organization("o-a1b2c3d4e5"))   // or organizationalUnits(...), accounts(...)
                    .build());
            // end::sharing[]
            cache.getNode();
        }
    }

    /** A consumer account of the central cache. */
    static final class SharingConsumer extends Stack {
        SharingConsumer(Construct scope) {
            super(scope, "ReadmeSharingConsumer", inAccount("222222222222"));
            IVpc vpc = new CacheVpc(this, "Vpc", CacheVpcProps.builder().build());
            FargateTaskDefinition taskDefinition = new FargateTaskDefinition(this, "Task");
            // tag::sharing-consumer[]
            // each consumer account (222222222222, eu-west-1)
            IPullThroughCache central = PullThroughCache.fromCacheAttributes(this, "Central", PullThroughCacheAttributes.builder()
                    .account("111111111111").region("eu-west-1")
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY))   // the central stack's SharedPrefixes
                    .sharedWith(CacheConsumers.organization("o-a1b2c3d4e5"))                  // optional: checked at synth
                    .build());
            PullThroughCacheConsumer cache = new PullThroughCacheConsumer(this, "Cache", PullThroughCacheConsumerProps.builder()
                    .cache(central)
                    .vpc(vpc)                                     // default: a new CacheVpc
                    .build());                                    // endpoints(true) and warm(true) by default
            taskDefinition.addContainer("Web", ContainerDefinitionOptions.builder()
                    .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27"))   // waits for the endpoints and the warm-up
                    .build());
            cache.warm("quay.io/prometheus/prometheus:v3.0.0");   // an image something else pulls in this account
            // end::sharing-consumer[]
        }
    }

    /** A cache and a rule of another account, imported. */
    static final class Imports extends Stack {
        Imports(Construct scope) {
            super(scope, "ReadmeImports", inAccount("222222222222"));
            FargateTaskDefinition taskDefinition = new FargateTaskDefinition(this, "Task");
            IRole role = new Role(this, "Puller", software.amazon.awscdk.services.iam.RoleProps.builder()
                    .assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com")).build());
            // tag::imports[]
            // in a stack of account 222222222222, in the cache's region
            IPullThroughCache central = PullThroughCache.fromCacheAttributes(this, "Central", PullThroughCacheAttributes.builder()
                    .account("111111111111").region("eu-west-1")
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.dockerHub()))   // no secret: a reference
                    .build());
            taskDefinition.addContainer("Web", ContainerDefinitionOptions.builder()
                    .image(central.containerImage("nginx:1.27"))   // 111111111111.dkr.ecr.eu-west-1.<suffix>/docker-hub/library/nginx:1.27
                    .build());

            // one rule of another stack
            IPullThroughCacheRule quay = PullThroughCacheRule.fromRuleAttributes(this, "Quay",
                    PullThroughCacheRuleAttributes.builder().upstream(UpstreamRegistry.QUAY).account("111111111111").build());
            quay.grantPull(role);
            // end::imports[]
        }
    }

    /** A rule, its credential, its puller statements and its creation template. */
    static final class BuildingBlocks extends Stack {
        BuildingBlocks(Construct scope) {
            super(scope, "ReadmeBuildingBlocks", inAccount("666666666666"));
            IRole taskExecutionRole = new Role(this, "TaskExecutionRole", software.amazon.awscdk.services.iam.RoleProps
                    .builder().assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com")).build());
            // tag::building-blocks[]
            PullThroughCacheRule quay = new PullThroughCacheRule(this, "Quay", PullThroughCacheRuleProps.builder()
                    .upstream(UpstreamRegistry.QUAY)
                    .build());

            String image = quay.imageUri("quay.io/prometheus/prometheus:v3.0.0");
            // ${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/quay/prometheus/prometheus:v3.0.0

            quay.grantPull(taskExecutionRole);
            // end::building-blocks[]
            image.length();
            // tag::credentials[]
            UpstreamCredentialSecret credential = new UpstreamCredentialSecret(this, "DockerHubCredential",
                    UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-user").build());
            new PullThroughCacheRule(this, "DockerHub", PullThroughCacheRuleProps.builder()
                    .upstream(UpstreamRegistry.dockerHub(credential.getSecret()))
                    .build());
            // end::credentials[]
            // tag::registry-policy[]
            new PullThroughCacheRule(this, "K8s", PullThroughCacheRuleProps.builder()
                    .upstream(UpstreamRegistry.KUBERNETES)
                    .pullers(List.of(taskExecutionRole))      // or later: rule.addPullers(role)
                    .build());
            RegistryPolicy.of(this).allowReplicationFrom("222222222222");   // another account replicates here
            // end::registry-policy[]
            Key key = new Key(this, "Key", software.amazon.awscdk.services.kms.KeyProps.builder()
                    .enableKeyRotation(true).build());
            // tag::creation-templates[]
            // the template of a rule's prefix, applied for PULL_THROUGH_CACHE
            quay.addCreationTemplate(CreationTemplateOptions.builder()
                    .encryption(TemplateEncryption.KMS_NEW_KEY)          // a customer managed key: rotated, retained
                    .lifecycleRules(List.of(
                            LifecycleRule.builder().tagPatternList(List.of("v*")).maxImageCount(20).build(),
                            CreationTemplateOptions.EXPIRE_UNTAGGED_AFTER_14_DAYS))
                    .resourceTags(Map.of("cache", "quay"))
                    .build());

            // any prefix, for any occasion
            new RepositoryCreationTemplate(this, "Replicated", RepositoryCreationTemplateProps.builder()
                    .prefix("team/apps")                                  // or "ROOT"
                    .appliedFor(List.of(AppliedFor.REPLICATION, AppliedFor.CREATE_ON_PUSH))
                    .encryption(TemplateEncryption.kms(key))
                    .imageTagMutability(TagMutability.IMMUTABLE_WITH_EXCLUSION)
                    .imageTagMutabilityExclusionFilters(List.of("latest"))
                    .build());
            // end::creation-templates[]
        }
    }

    /** A stack of its own for the REPLACE registry policy: it must be its registry's only writer. */
    static final class RegistryPolicyReplace extends Stack {
        RegistryPolicyReplace(Construct scope) {
            super(scope, "ReadmeRegistryPolicyReplace", inAccount("333333333333"));
            // tag::registry-policy-replace[]
            new RegistryPolicy(this, "RegistryPolicy", RegistryPolicyProps.builder()
                    .mode(RegistryPolicyMode.REPLACE)
                    .build());
            // end::registry-policy-replace[]
            // ECR refuses an empty policy
            RegistryPolicy.of(this).allowReplicationFrom("222222222222");
        }
    }

    private static void replication(Stack sourceStack, Stack destinationStack) {
        // tag::replication[]
        RegistryReplication replication = new RegistryReplication(sourceStack, "Replication",
                RegistryReplicationProps.builder()
                        .rules(List.of(ReplicationRule.builder()
                                .destinations(List.of(ReplicationDestination.region("us-east-1"),
                                        ReplicationDestination.account("222222222222", "eu-west-1")))
                                .repositoryFilters(List.of(ReplicationFilter.prefixMatch("ecr-public/"),
                                        ReplicationFilter.prefixMatch("quay/")))
                                .build()))
                        .build());

        // in a stack of 222222222222/eu-west-1 (and one of us-east-1)
        new ReplicaRegistry(destinationStack, "Replica", ReplicaRegistryProps.builder()
                .replication(replication)
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .build());
        // end::replication[]
    }

    /** Endpoints and the temporary NAT gateway in a VPC of the app. */
    static final class PrivateNetwork extends Stack {
        PrivateNetwork(Construct scope) {
            super(scope, "ReadmePrivateNetwork", StackProps.builder().env(ENV).build());
            IVpc vpc = new CacheVpc(this, "Vpc", CacheVpcProps.builder().build());
            // tag::network[]
            RegistryEndpoints endpoints = new RegistryEndpoints(this, "Endpoints", RegistryEndpointsProps.builder()
                    .vpc(vpc)                                                     // a new VPC, or Vpc.fromVpcAttributes
                    .additionalServices(List.of(InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS))  // Fargate logs
                    .build());

            // for the first pulls only; delete these lines and deploy again once the cache is warm
            new TemporaryNatGateway(this, "TemporaryNat", TemporaryNatGatewayProps.builder()
                    .vpc(vpc)
                    .flowLogs(true)                                               // what still goes through it
                    .build());
            // end::network[]
            endpoints.getNode();
        }
    }

    /** Registries the pull through cache cannot serve, copied in. */
    static final class Copied extends Stack {
        Copied(Construct scope) {
            super(scope, "ReadmeCopied", inAccount("888888888888"));
            FargateTaskDefinition taskDefinition = new FargateTaskDefinition(this, "Task");
            UpstreamCredentialSecret nvcrCredential = new UpstreamCredentialSecret(this, "NvcrCredential",
                    UpstreamCredentialSecretProps.builder().secretName("nvcr").username("$oauthtoken").build());
            // tag::copied-registries[]
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC,
                            UpstreamRegistry.copied("mcr.microsoft.com"),              // prefix mcr
                            UpstreamRegistry.copied("nvcr.io", nvcrCredential.getSecret())))   // prefix nvcr, read with a secret
                    .warmerOptions(CacheWarmerOptions.builder()                        // the copier runs on the warmer's schedule
                            .schedule(ScheduleExpression.rate(Duration.days(1))).build())
                    .build());
            taskDefinition.addContainer("Web", ContainerDefinitionOptions.builder()
                    .image(cache.containerImage("mcr.microsoft.com/dotnet/samples:aspnetapp"))   // <registry>/mcr/dotnet/samples:aspnetapp
                    .build());
            cache.warm("nvcr.io/nvidia/cuda:12.6.0-base-ubuntu22.04");                // copied too, for something else to pull
            cache.addCopiedRegistry(UpstreamRegistry.copied("k8s.gcr.io"), "k8s-gcr"); // another prefix than the host's first label
            // end::copied-registries[]
        }
    }

    /** The cache warmer of a cache with no NAT gateway. */
    static final class Warmer extends Stack {
        Warmer(Construct scope) {
            super(scope, "ReadmeWarmer", inAccount("444444444444"));
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.KUBERNETES,
                            UpstreamRegistry.dockerHub(new UpstreamCredentialSecret(this, "Hub",
                                    UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-user").build())
                                    .getSecret())))
                    .build());
            // tag::warmer[]
            new CacheWarmer(this, "Warmer", CacheWarmerProps.builder()
                    .cache(cache)                                  // or .rules(List.of(rule, ...))
                    .images(List.of("public.ecr.aws/nginx/nginx:1.27", "registry.k8s.io/pause:3.10", "nginx:1.27"))
                    .schedule(ScheduleExpression.rate(Duration.days(1)))       // optional: EventBridge Scheduler
                    .platforms(List.of("linux/amd64", "linux/arm64"))          // the default
                    .failOnError(false)                                        // the default: report, do not roll back
                    .build());
            // end::warmer[]
        }
    }

    /** Kubernetes nodes pulling unchanged references through the cache. */
    static final class KubernetesNodes extends Stack {
        /** The README's account for this section, whose generated files it shows. */
        static final String ACCOUNT = "888888888888";
        final RegistryMirrors mirrors;

        KubernetesNodes(Construct scope) {
            super(scope, "ReadmeKubernetesNodes", inAccount(ACCOUNT));
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .upstreams(List.of(UpstreamRegistry.dockerHub(new UpstreamCredentialSecret(this, "Hub",
                            UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-user").build())
                            .getSecret())))
                    .build());
            IRole nodeRole = new Role(this, "NodeRole", software.amazon.awscdk.services.iam.RoleProps.builder()
                    .assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build());
            IRole karpenterNodeRole = new Role(this, "KarpenterNodeRole", software.amazon.awscdk.services.iam.RoleProps
                    .builder().assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build());
            // tag::kubernetes-nodes[]
            RegistryMirrors mirrors = cache.registryMirrors();   // any IPullThroughCache: this stack's, imported, a consumer's

            // Amazon Linux 2023, in one call: the node role's pulls, the user data, and the launch template (so the managed
            // node group of CfnNodegroup's launchTemplate) waits for the warmer that caches the images first
            LaunchTemplate al2023 = LaunchTemplate.Builder.create(this, "Al2023Nodes")
                    .userData(new MultipartUserData())
                    .requireImdsv2(true)
                    .build();
            mirrors.configureNodes(al2023, nodeRole);

            // Karpenter makes its nodes outside CloudFormation: the role of its EC2NodeClass gets the pulls, and the
            // EC2NodeClass's spec.userData the same parts as MIME text (shown below)
            mirrors.grantPull(karpenterNodeRole);
            CfnOutput.Builder.create(this, "KarpenterUserData").value(mirrors.ec2NodeClassUserData()).build();

            // Bottlerocket: TOML settings, merged by EKS with the node group's own
            mirrors.grantPull(nodeRole);                        // first pull and reads on the mirrored prefixes
            LaunchTemplate bottlerocket = LaunchTemplate.Builder.create(this, "BottlerocketNodes")
                    .userData(UserData.custom(mirrors.bottlerocketSettings()))
                    .requireImdsv2(true)
                    .build();
            bottlerocket.getNode().addDependency(cache.getWarmUp());
            // end::kubernetes-nodes[]
            this.mirrors = mirrors;
        }
    }

    /** The second day: eviction, archive, removal on destroy, credential alarms, a dashboard. */
    static final class DayTwo extends Stack {
        DayTwo(Construct scope) {
            super(scope, "ReadmeDayTwo", inAccount("999999999999"));
            UpstreamCredentialSecret hub = new UpstreamCredentialSecret(this, "Hub",
                    UpstreamCredentialSecretProps.builder().secretName("docker-hub").username("my-user").build());
            ITopic topic = Topic.fromTopicArn(this, "Alarms", "arn:aws:sns:eu-west-1:999999999999:cache-alarms");
            // tag::day-two[]
            PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                    .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.dockerHub(hub.getSecret())))
                    .evictUnpulledAfter(Duration.days(90))                // delete what nobody pulled for 90 days
                    .evictionOptions(ImageEvictorOptions.builder()
                            .deleteEmptyRepositories(true)                // and the repositories left empty
                            .build())
                    .removeCachedRepositoriesOnDestroy(true)             // cdk destroy takes the cached repositories
                    .validateCredentials(true)                           // the default: hourly check, an alarm per credential
                    .alarmTopic(topic)                                   // optional: the alarms notify it
                    .dashboard(true)                                     // cache.getDashboard()
                    .build());
            cache.imageUri("public.ecr.aws/nginx/nginx:1.27");          // in use: never evicted
            // end::day-two[]
            // tag::archive[]
            CreationTemplateOptions archived = CreationTemplateOptions.builder()
                    .archiveUnpulledAfter(Duration.days(180))    // a last lifecycle rule: sinceImagePulled -> archive
                    .build();
            // end::archive[]
            new PullThroughCacheRule(this, "Quay", PullThroughCacheRuleProps.builder()
                    .upstream(UpstreamRegistry.QUAY).build()).addCreationTemplate(archived);
        }
    }
}
