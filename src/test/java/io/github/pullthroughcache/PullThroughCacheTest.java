package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.CacheVpcProps;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * The L3 in one app: a cache with its own VPC, three upstreams, a puller, a KMS template, the temporary NAT and
 * an ECS task; and a cache in an imported VPC with REPLACE and no endpoints. Synthesized once, with cdk-nag.
 */
class PullThroughCacheTest {

    private static PullThroughCache cache;
    private static PullThroughCache imported;
    private static Stack stack;
    private static Synth synth;
    private static Template template;
    private static Template importedTemplate;
    private static String puller;
    private static String executionRole;

    @BeforeAll
    static void synthesize() {
        App app = TestApps.newApp();
        stack = new Stack(app, "Cache");
        Role role = Role.Builder.create(stack, "Puller").assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com")).build();
        acknowledgeTokenWildcard(role);
        cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY,
                        UpstreamRegistry.dockerHub(Secret.fromSecretNameV2(stack, "DockerHub",
                                "ecr-pullthroughcache/docker-hub"))))
                .pullers(List.of(role))
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .temporaryNat(true)
                .build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.KUBERNETES)
                .repositoryPrefix("team/k8s").build());
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        task.addContainer("Web", ContainerDefinitionOptions.builder()
                .image(cache.containerImage("nginx:1.27"))
                .memoryLimitMiB(512)
                .build());
        acknowledgeTokenWildcard(task.getExecutionRole());
        task.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-ECS7", "test task: it is never run, only its image and roles are under test"));
        puller = stack.getLogicalId(role.getNode().getDefaultChild() instanceof software.amazon.awscdk.CfnElement e ? e : null);
        executionRole = stack.getLogicalId((software.amazon.awscdk.CfnElement) task.getExecutionRole().getNode().getDefaultChild());

        Stack second = new Stack(app, "Imported");
        imported = new PullThroughCache(second, "Cache", PullThroughCacheProps.builder()
                .vpc(Vpc.fromVpcAttributes(second, "Vpc", VpcAttributes.builder()
                        .vpcId("vpc-0123456789abcdef0")
                        .vpcCidrBlock("10.1.0.0/16")
                        .availabilityZones(List.of("eu-west-1a"))
                        .isolatedSubnetIds(List.of("subnet-0123456789abcdef0"))
                        .isolatedSubnetRouteTableIds(List.of("rtb-0123456789abcdef0"))
                        .build()))
                .upstreams(List.of(UpstreamRegistry.QUAY))
                .pullers(List.of(new AccountPrincipal("222222222222")))
                .endpoints(false)
                .registryPolicyMode(RegistryPolicyMode.REPLACE)
                .build());

        synth = Synth.of(TestApps.withNagPacks(app));
        template = synth.template("Cache");
        importedTemplate = synth.template("Imported");
    }

    /** A role's {@code ecr:GetAuthorizationToken} on {@code *} is the user's to acknowledge, here as in the docs. */
    private static void acknowledgeTokenWildcard(software.amazon.awscdk.services.iam.IRole role) {
        role.getNode().addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, Map.of(
                "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken has no resource scope",
                "NIST.800.53.R5-IAMNoInlinePolicy", "test role: the grants are the subject under test"));
    }

    @Test
    void oneRuleAndOneTemplatePerUpstreamUnderRules() {
        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 4);
        template.resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 4);
        assertThat(cache.getRules()).extracting(PullThroughCacheRule::getRepositoryPrefix)
                .containsExactly("ecr-public", "quay", "docker-hub", "team/k8s");
        assertThat(cache.getRules()).extracting(rule -> rule.getNode().getPath())
                .containsExactly("Cache/Cache/Rules/EcrPublic", "Cache/Cache/Rules/Quay", "Cache/Cache/Rules/DockerHub",
                        "Cache/Cache/Rules/TeamK8s");
        assertThat(cache.getRule("quay").getCreationTemplate()).isNotNull();
    }

    @Test
    void kmsNewKeyIsOneRetainedKeySharedByEveryTemplate() {
        template.resourceCountIs("AWS::KMS::Key", 1);
        template.hasResource("AWS::KMS::Key", Map.of("DeletionPolicy", "Retain",
                "Properties", Map.of("EnableKeyRotation", true)));
        String key = stack.getLogicalId((software.amazon.awscdk.CfnElement) cache.getKey().getNode().getDefaultChild());
        assertThat(template.findResources("AWS::ECR::RepositoryCreationTemplate").values())
                .allSatisfy(resource -> assertThat(resource.toString()).contains("EncryptionType=KMS", key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx:1.27", "library/nginx:1.27", "docker.io/nginx:1.27", "docker.io/library/nginx:1.27",
            "index.docker.io/library/nginx:1.27", "registry-1.docker.io/nginx:1.27"})
    void everyDockerHubFormGoesToTheDockerHubRule(String reference) {
        assertThat(stack.resolve(cache.imageUri(reference)).toString())
                .endsWith(", .dkr.ecr., {Ref=AWS::Region}, ., {Ref=AWS::URLSuffix}, /docker-hub/library/nginx:1.27]]}");
    }

    @Test
    void otherRegistriesGoToTheirRules() {
        assertThat(stack.resolve(cache.imageUri("public.ecr.aws/nginx/nginx:1.27")).toString())
                .contains("/ecr-public/nginx/nginx:1.27");
        assertThat(stack.resolve(cache.imageUri("quay.io/prometheus/prometheus@sha256:" + "a".repeat(64))).toString())
                .contains("/quay/prometheus/prometheus@sha256:");
        assertThat(stack.resolve(cache.imageUri("registry.k8s.io/pause:3.10")).toString())
                .contains("/team/k8s/pause:3.10");
    }

    @Test
    void anUnservedRegistryIsAnErrorListingTheRules() {
        assertThatThrownBy(() -> cache.imageUri("ghcr.io/org/app:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ghcr.io/org/app:1' is from registry 'ghcr.io'")
                .hasMessageContaining("[ecr-public (public.ecr.aws), quay (quay.io), docker-hub (docker.io), "
                        + "team/k8s (registry.k8s.io)]")
                .hasMessageContaining("PullThroughCacheProps.upstreams");
    }

    @Test
    void pullersGetIdentityGrantsOnEveryRuleAndTheRegistryPolicyStatements() {
        List<String> resources = new ArrayList<>();
        template.findResources("AWS::IAM::Policy").values().stream()
                .filter(policy -> policy.toString().contains(puller))
                .forEach(policy -> resources.add(policy.toString()));
        assertThat(resources).hasSize(1);
        assertThat(resources.get(0)).contains("ecr:BatchImportUpstreamImage", "repository/ecr-public/*",
                "repository/quay/*", "repository/docker-hub/*", "repository/team/k8s/*", "ecr:GetAuthorizationToken");

        JsonNode statements = synth.registryPolicyStatements("Cache");
        List<String> pullerStatements = new ArrayList<>();
        statements.forEach(statement -> {
            if (statement.path("Principal").toString().contains(puller)) {
                pullerStatements.add(statement.path("Resource").asText());
            }
        });
        // exactly the repositories under each rule's prefix: never repository/* nor another registry's
        String registry = "arn:{'Ref':'AWS::Partition'}:ecr:{'Ref':'AWS::Region'}:{'Ref':'AWS::AccountId'}:repository/";
        assertThat(pullerStatements).containsExactlyInAnyOrder(registry + "ecr-public/*", registry + "quay/*",
                registry + "docker-hub/*", registry + "team/k8s/*");
    }

    @Test
    void aContainerImageGrantsTheExecutionRoleTheRuleOfItsImageOnly() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(
                Match.objectLike(Map.of("Image", Map.of("Fn::Join", List.of("", Match.arrayWith(
                        List.of(".dkr.ecr.", "/docker-hub/library/nginx:1.27")))))))));
        String policy = template.findResources("AWS::IAM::Policy").values().stream()
                .map(Object::toString)
                .filter(p -> p.contains(executionRole))
                .findFirst().orElseThrow();
        assertThat(policy).contains("repository/docker-hub/*").doesNotContain("repository/quay/*");
        assertThat(synth.registryPolicyStatements("Cache").toString()).contains(executionRole);
    }

    @Test
    void theCacheBringsItsVpcEndpointsAndTheTemporaryNat() {
        template.resourceCountIs("AWS::EC2::VPC", 1);
        template.resourceCountIs("AWS::EC2::NatGateway", 1);
        template.resourceCountIs("AWS::EC2::VPCEndpoint", 3);
        assertThat(cache.getVpc().getNode().getPath()).isEqualTo("Cache/Cache/Vpc");
        assertThat(cache.getEndpoints().getNode().getPath()).isEqualTo("Cache/Cache/Endpoints");
        assertThat(cache.getTemporaryNat().getNode().getPath()).isEqualTo("Cache/Cache/TemporaryNat");
    }

    @Test
    void anImportedVpcWithoutEndpointsAndAReplacePolicy() {
        importedTemplate.resourceCountIs("AWS::EC2::VPC", 0);
        importedTemplate.resourceCountIs("AWS::EC2::VPCEndpoint", 0);
        importedTemplate.resourceCountIs("AWS::EC2::NatGateway", 0);
        importedTemplate.resourceCountIs("AWS::ECR::RegistryPolicy", 1);
        importedTemplate.hasResource("AWS::ECR::RegistryPolicy", Map.of("DeletionPolicy", "Retain"));
        assertThat(importedTemplate.findResources("AWS::ECR::RegistryPolicy").toString())
                .contains("PullThroughCachequay", "222222222222:root", "repository/quay/*");
        assertThat(imported.getEndpoints()).isNull();
        assertThat(imported.getTemporaryNat()).isNull();
        assertThat(imported.getRegistryPolicy().getMode()).isEqualTo(RegistryPolicyMode.REPLACE);
        assertThat(imported.repositoryUriPrefix("quay")).endsWith("}/quay");
    }

    @Test
    void everyResourceMatchesItsRegistrySchema() {
        assertThat(CfnSchemas.violations(synth.json("Cache"))).isEmpty();
        assertThat(CfnSchemas.violations(synth.json("Imported"))).isEmpty();
    }

    @Test
    void aSecondRuleForOnePrefixIsAnErrorThatSaysHowToGiveAnother() {
        assertThatThrownBy(() -> cache.addRule(PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.ECR_PUBLIC).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has rule 'ecr-public' (Amazon ECR Public) already")
                .hasMessageContaining(".repositoryPrefix(");
        assertThatThrownBy(() -> cache.addRule(PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.QUAY).repositoryPrefix("ecr.public").build()))
                .hasMessageContaining("whose construct id is the same");
    }

    @Test
    void anUnknownPrefixIsAnErrorListingThePrefixes() {
        assertThatThrownBy(() -> cache.getRule("github"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no rule with prefix 'github'")
                .hasMessageContaining("[ecr-public, quay, docker-hub, team/k8s]");
    }

    @Test
    void withNoPropsTheCacheIsEcrPublicInANewVpc() {
        App app = TestApps.newApp();
        PullThroughCache minimal = new PullThroughCache(new Stack(app, "Minimal"), "Cache");
        Template minimalTemplate = Template.fromStack((Stack) minimal.getNode().getScope());
        minimalTemplate.resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        minimalTemplate.hasResourceProperties("AWS::ECR::PullThroughCacheRule", Map.of(
                "EcrRepositoryPrefix", "ecr-public", "UpstreamRegistryUrl", "public.ecr.aws"));
        minimalTemplate.hasResourceProperties("AWS::ECR::RepositoryCreationTemplate", Map.of(
                "EncryptionConfiguration", Map.of("EncryptionType", "AES256"),
                "ImageTagMutability", "MUTABLE"));
        minimalTemplate.resourceCountIs("AWS::EC2::NatGateway", 0);
        minimalTemplate.resourceCountIs("AWS::ECR::RegistryPolicy", 0);
        minimalTemplate.resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
        assertThat(minimal.getRegistryPolicy()).isNull();
        assertThat(minimal.getVpc()).isInstanceOf(CacheVpc.class);
        assertThat(minimal.getVpc().getNode().getId()).isEqualTo("Vpc");
        minimalTemplate.resourceCountIs("AWS::EC2::Subnet", 4);
        minimalTemplate.resourceCountIs("AWS::EC2::FlowLog", 1);
    }

    @Test
    void aCacheVpcWithNoPropsHasTheDefaults() {
        Stack vpcStack = new Stack(TestApps.newApp(), "VpcOnly");
        CacheVpc vpc = new CacheVpc(vpcStack, "Vpc");
        Template vpcTemplate = Template.fromStack(vpcStack);
        assertThat(vpc.getCidr()).isEqualTo(CacheVpcProps.builder().build().getCidr());
        vpcTemplate.hasResourceProperties("AWS::EC2::VPC", Map.of("CidrBlock", vpc.getCidr()));
        vpcTemplate.resourceCountIs("AWS::EC2::Subnet", 4);
        vpcTemplate.resourceCountIs("AWS::EC2::NatGateway", 0);
        vpcTemplate.resourceCountIs("AWS::EC2::FlowLog", 1);
    }
}
