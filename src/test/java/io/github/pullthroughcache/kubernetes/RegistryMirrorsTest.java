package io.github.pullthroughcache.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.pullthroughcache.IPullThroughCache;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheAttributes;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.RenderedText;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MultipartUserData;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * The files Kubernetes nodes get from {@code registryMirrors()}: one cache with every kind of upstream (one fixture,
 * read only), and caches of their own where the test depends on what else the stack holds.
 */
class RegistryMirrorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";

    private static Stack stack;
    private static RegistryMirrors mirrors;

    @BeforeAll
    static void everyUpstream() {
        stack = new Stack(TestApps.newApp(), "Everything", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES,
                        UpstreamRegistry.dockerHub(secret(stack, "docker-hub")),
                        UpstreamRegistry.githubContainerRegistry(secret(stack, "github")),
                        UpstreamRegistry.gitlabContainerRegistry(secret(stack, "gitlab")),
                        UpstreamRegistry.azureContainerRegistry("myregistry", secret(stack, "azure")),
                        UpstreamRegistry.chainguard(secret(stack, "chainguard")),
                        UpstreamRegistry.ecrPrivate("222222222222", "eu-west-1")))
                .build());
        mirrors = cache.registryMirrors();
    }

    private static ISecret secret(Stack scope, String name) {
        return Secret.Builder.create(scope, "Secret" + name).secretName("ecr-pullthroughcache/" + name).build();
    }

    private static String rendered(String text) {
        return RenderedText.of(stack, text);
    }

    @Test
    void everyUpstreamButEcrPublicIsMirroredInRuleOrder() {
        assertThat(mirrors.getHosts()).containsExactly("quay.io", "registry.k8s.io", "docker.io", "ghcr.io",
                "registry.gitlab.com", "myregistry.azurecr.io", "cgr.dev", "222222222222.dkr.ecr.eu-west-1.amazonaws.com");
        assertThat(mirrors.getNotMirrored()).containsOnlyKeys("public.ecr.aws");
    }

    @Test
    void dockerHubIsMirroredUnderItsImageHostWithRegistryOneAsTheServerAndThePathAsTheApiRoot() {
        assertThat(rendered(mirrors.hostsToml("docker.io"))).isEqualTo(
                "# docker.io through Amazon ECR pull through cache rule 'docker-hub' (Docker Hub)\n"
                        + "server = \"https://registry-1.docker.io\"\n"
                        + "\n"
                        + "[host.\"https://" + REGISTRY + "/v2/docker-hub\"]\n"
                        + "  capabilities = [\"pull\", \"resolve\"]\n"
                        + "  override_path = true\n");
    }

    @Test
    void eachHostGoesToItsRulesPrefixWithItsUpstreamAsTheFallback() {
        Map<String, String> expected = Map.of(
                "quay.io", "https://quay.io|/v2/quay",
                "registry.k8s.io", "https://registry.k8s.io|/v2/k8s",
                "ghcr.io", "https://ghcr.io|/v2/github",
                "registry.gitlab.com", "https://registry.gitlab.com|/v2/gitlab",
                "myregistry.azurecr.io", "https://myregistry.azurecr.io|/v2/azure",
                "cgr.dev", "https://cgr.dev|/v2/chainguard",
                "222222222222.dkr.ecr.eu-west-1.amazonaws.com", "https://222222222222.dkr.ecr.eu-west-1.amazonaws.com|/v2/ecr");
        expected.forEach((host, serverAndPath) -> {
            String[] parts = serverAndPath.split("\\|");
            assertThat(rendered(mirrors.hostsToml(host))).as(host)
                    .contains("server = \"" + parts[0] + "\"\n")
                    .contains("[host.\"https://" + REGISTRY + parts[1] + "\"]\n")
                    .contains("override_path = true");
            assertThat(rendered(mirrors.getEndpoint(host))).isEqualTo("https://" + REGISTRY + parts[1]);
        });
    }

    @Test
    void ecrPublicIsLeftOutWithAWarningThatSaysWhyAndHowToRouteItsImages() {
        assertThat(mirrors.getNotMirrored().get("public.ecr.aws")).contains("Amazon ECR Public token", "imageUri");
        Annotations.fromStack(stack).hasWarning("/Everything/Cache", Match.stringLikeRegexp(
                "Kubernetes nodes will not pull public.ecr.aws through rule 'ecr-public'.*ECR Public token.*imageUri.*"));
        assertThatThrownBy(() -> mirrors.hostsToml("public.ecr.aws"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host 'public.ecr.aws' is not mirrored: ecr-credential-provider answers "
                        + "public.ecr.aws with an Amazon ECR Public token")
                .hasMessageContaining("Mirrored hosts: [quay.io, registry.k8s.io, docker.io");
        assertThatThrownBy(() -> mirrors.hostsToml("example.com"))
                .hasMessageContaining("host 'example.com' is not mirrored. Mirrored hosts: [quay.io");
    }

    @Test
    void theCredentialProviderMatchesEcrAndEveryMirroredHostWithTheCachesRegion() throws Exception {
        JsonNode config = JSON.readTree(rendered(mirrors.credentialProviderConfig()));
        assertThat(config.path("apiVersion").asText()).isEqualTo("kubelet.config.k8s.io/v1");
        assertThat(config.path("kind").asText()).isEqualTo("CredentialProviderConfig");
        assertThat(config.path("providers")).hasSize(1);
        JsonNode provider = config.path("providers").path(0);
        assertThat(provider.path("name").asText()).isEqualTo("ecr-credential-provider");
        assertThat(provider.path("apiVersion").asText()).isEqualTo("credentialprovider.kubelet.k8s.io/v1");
        assertThat(provider.path("defaultCacheDuration").asText()).isEqualTo("12h");
        assertThat(provider.path("env").toString()).isEqualTo("[{\"name\":\"AWS_REGION\",\"value\":\"eu-west-1\"}]");
        List<String> patterns = JSON.convertValue(provider.path("matchImages"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        // exactly nodeadm's ECR patterns, then every mirrored host in rule order: nothing else gets the ECR token
        List<String> expected = new java.util.ArrayList<>(RegistryMirrors.ECR_IMAGE_PATTERNS);
        expected.addAll(mirrors.getHosts());
        assertThat(patterns).containsExactlyElementsOf(expected).doesNotContain("public.ecr.aws");
    }

    @Test
    void amazonLinux2023UserDataIsANodeConfigThenAScriptThatWritesEveryFile() {
        String userData = rendered(mirrors.amazonLinux2023UserData().render());
        int nodeConfig = userData.indexOf("Content-Type: application/node.eks.aws");
        int script = userData.indexOf("Content-Type: text/x-shellscript");
        assertThat(nodeConfig).isNotNegative();
        assertThat(script).isGreaterThan(nodeConfig);
        assertThat(userData).startsWith("Content-Type: multipart/mixed; boundary=")
                .contains("kind: NodeConfig\n", "      [plugins.'io.containerd.cri.v1.images']\n      use_local_image_pull = true\n",
                        "      - --image-credential-provider-config=/etc/eks/image-credential-provider/pull-through-cache.json\n")
                .contains("Content-Type: text/x-shellscript; charset=\"utf-8\"\n\n#!/bin/bash\nset -euo pipefail\n")
                .contains("mkdir -p '/etc/containerd/certs.d/docker.io'\ncat > '/etc/containerd/certs.d/docker.io/hosts.toml'"
                        + " <<'PULL_THROUGH_CACHE_EOF'\n" + rendered(mirrors.hostsToml("docker.io")) + "PULL_THROUGH_CACHE_EOF\n")
                .contains("cat > '/etc/eks/image-credential-provider/pull-through-cache.json' <<'PULL_THROUGH_CACHE_EOF'\n"
                        + rendered(mirrors.credentialProviderConfig()) + "PULL_THROUGH_CACHE_EOF");
        for (String host : mirrors.getHosts()) {
            assertThat(userData).contains("'/etc/containerd/certs.d/" + host + "/hosts.toml'");
        }
        assertThat(userData).doesNotContain("certs.d/public.ecr.aws");
    }

    @Test
    void bottlerocketSettingsHoldAMirrorPerHostAndTheCredentialProvider() {
        String settings = rendered(mirrors.bottlerocketSettings());
        assertThat(settings).startsWith("[[settings.container-registry.mirrors]]\nregistry = \"quay.io\"\n"
                        + "endpoint = [\"https://" + REGISTRY + "/v2/quay\"]\n\n")
                .contains("[[settings.container-registry.mirrors]]\nregistry = \"docker.io\"\n"
                        + "endpoint = [\"https://" + REGISTRY + "/v2/docker-hub\"]\n\n")
                .contains("[settings.kubernetes.credential-providers.ecr-credential-provider]\nenabled = true\n"
                        + "cache-duration = \"12h\"\nimage-patterns = [\"*.dkr.ecr.*.amazonaws.com\", ")
                .contains(", \"docker.io\", ")
                .endsWith("[settings.kubernetes.credential-providers.ecr-credential-provider.environment]\n"
                        + "AWS_REGION = \"eu-west-1\"\n")
                .doesNotContain("public.ecr.aws");
        assertThat(settings.split("\\[\\[settings.container-registry.mirrors]]", -1)).hasSize(mirrors.getHosts().size() + 1);
    }

    @Test
    void grantPullGrantsTheMirroredPrefixesOnlyAndLetsTheNodeRoleIntoTheRegistryPolicy() {
        Stack own = new Stack(TestApps.newApp(), "Nodes", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY)).build());
        Role nodeRole = Role.Builder.create(own, "NodeRole").assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build();

        cache.registryMirrors().grantPull(nodeRole);

        String template = Template.fromStack(own).toJSON().toString();
        assertThat(template).contains("repository/quay/*", "ecr:BatchImportUpstreamImage", "ecr:GetAuthorizationToken")
                .doesNotContain("repository/ecr-public/*");
        JsonNode policy = JSON.valueToTree(Template.fromStack(own).findResources("Custom::EcrRegistryPolicyStatements"));
        assertThat(policy.toString()).as("the node role is a puller of the quay rule's statement")
                .contains("NodeRole").contains("repository/quay/*").doesNotContain("repository/ecr-public/*");
    }

    @Test
    void anImportedCacheOfAnotherAccountMirrorsToItsRegistryAndGrantsTheIdentitySide() {
        Stack consumer = new Stack(TestApps.newApp(), "Consumer", StackProps.builder()
                .env(Environment.builder().account("222222222222").region("eu-west-1").build()).build());
        IPullThroughCache central = PullThroughCache.fromCacheAttributes(consumer, "Central",
                PullThroughCacheAttributes.builder().account("111111111111").region("eu-west-1")
                        .upstreams(List.of(UpstreamRegistry.dockerHub())).build());
        Role nodeRole = Role.Builder.create(consumer, "NodeRole").assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build();

        RegistryMirrors imported = central.registryMirrors();
        imported.grantPull(nodeRole);

        assertThat(RenderedText.of(consumer, imported.getEndpoint("docker.io"))).isEqualTo("https://" + REGISTRY + "/v2/docker-hub");
        assertThat(Template.fromStack(consumer).toJSON().toString())
                .contains("arn:aws:ecr:eu-west-1:111111111111:repository/docker-hub/*");
        Template.fromStack(consumer).resourceCountIs("Custom::EcrRegistryPolicyStatements", 0);
    }

    @Test
    void rulesWhoseRepositoryPathContainerdCannotReachAreLeftOutWithWhy() {
        Stack own = new Stack(TestApps.newApp(), "Odd", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY)).build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).repositoryPrefix("quay-again").build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.ecrPrivate("222222222222", "eu-west-1"))
                .repositoryPrefix("team").upstreamRepositoryPrefix("team-a").build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.ecrPrivate("333333333333", "us-east-1"))
                .build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.KUBERNETES)
                .repositoryPrefix(CfnParameter.Builder.create(own, "Prefix").build().getValueAsString()).build());

        RegistryMirrors odd = cache.registryMirrors();

        assertThat(odd.getHosts()).containsExactly("quay.io");
        Map<String, String> why = odd.getNotMirrored();
        assertThat(why.get("222222222222.dkr.ecr.eu-west-1.amazonaws.com")).contains("upstreamRepositoryPrefix 'team-a'");
        assertThat(why.get("333333333333.dkr.ecr.us-east-1.amazonaws.com")).contains("token of that host's region (us-east-1)");
        assertThat(why.get("registry.k8s.io")).contains("repository prefix is a token");
        Annotations annotations = Annotations.fromStack(own);
        annotations.hasWarning("/Odd/Cache", Match.stringLikeRegexp(".*quay.io through rule 'quay-again'.*rule 'quay' already mirrors it.*"));
        assertThat(annotations.findWarning("/Odd/Cache", Match.stringLikeRegexp("Kubernetes nodes will not pull.*"))).hasSize(4);

        cache.registryMirrors();
        assertThat(Annotations.fromStack(own).findWarning("/Odd/Cache", Match.stringLikeRegexp("Kubernetes nodes.*")))
                .as("a second call warns no more").hasSize(4);
    }

    @Test
    void anEcrToEcrRuleWithTheRootPrefixMirrorsTheWholeUpstreamRegistryAtV2() {
        Stack own = new Stack(TestApps.newApp(), "Root", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder().upstreams(List.of()).build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.ecrPrivate("222222222222", "eu-west-1"))
                .repositoryPrefix("ROOT").build());

        assertThat(RenderedText.of(own, cache.registryMirrors().hostsToml("222222222222.dkr.ecr.eu-west-1.amazonaws.com")))
                .contains("[host.\"https://" + REGISTRY + "/v2\"]\n");
    }

    @Test
    void aCacheWithoutRulesAtSynthesisHasNothingToMirror() {
        Stack own = new Stack(TestApps.newApp(), "Empty", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder().upstreams(List.of()).build());

        RegistryMirrors none = cache.registryMirrors();

        assertThat(none.getHosts()).isEmpty();
        assertThatThrownBy(() -> Template.fromStack(own)).hasMessageContaining("registryMirrors of Empty/Cache: the "
                + "cache has no rule, so there is no upstream host to mirror. Add upstreams to the cache");
    }

    @Test
    void aRuleAddedAfterRegistryMirrorsIsInTheLaunchTemplateAndEveryFileAgrees() throws Exception {
        Stack own = new Stack(TestApps.newApp(), "Later", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.KUBERNETES)).build());
        Role nodeRole = Role.Builder.create(own, "NodeRole").assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build();
        LaunchTemplate nodes = LaunchTemplate.Builder.create(own, "Nodes").userData(new MultipartUserData()).build();
        RegistryMirrors later = cache.registryMirrors();
        later.configureNodes(nodes, nodeRole);
        String credentialProviderConfig = later.credentialProviderConfig();
        String bottlerocket = later.bottlerocketSettings();
        String karpenter = later.ec2NodeClassUserData();
        assertThat(later.getHosts()).as("a Java list is what the cache serves at the call").containsExactly("registry.k8s.io");

        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).build());

        JsonNode template = JSON.valueToTree(Template.fromStack(own).toJSON());
        String userData = joined(template.path("Resources").path(own.getLogicalId(
                (software.amazon.awscdk.CfnElement) nodes.getNode().getDefaultChild())).path("Properties")
                .path("LaunchTemplateData").path("UserData").path("Fn::Base64"));
        String config = rendered(credentialProviderConfig, own);
        String quayToml = rendered(later.hostsToml("quay.io"), own);
        assertThat(quayToml).contains("[host.\"https://" + REGISTRY + "/v2/quay\"]");
        assertThat(JSON.readTree(config).path("providers").path(0).path("matchImages").toString())
                .endsWith(",\"registry.k8s.io\",\"quay.io\"]");
        for (String text : List.of(userData, rendered(karpenter, own))) {
            assertThat(text).contains("cat > '/etc/containerd/certs.d/quay.io/hosts.toml' <<'PULL_THROUGH_CACHE_EOF'\n"
                            + quayToml + "PULL_THROUGH_CACHE_EOF\n")
                    .contains("<<'PULL_THROUGH_CACHE_EOF'\n" + config + "PULL_THROUGH_CACHE_EOF\n");
        }
        assertThat(rendered(bottlerocket, own)).contains("registry = \"quay.io\"\nendpoint = [\"https://" + REGISTRY
                + "/v2/quay\"]\n").contains("\"registry.k8s.io\", \"quay.io\"]\n");
        // the node role, granted before the rule existed, pulls through it and is in its registry policy statement
        assertThat(template.toString()).contains("repository/quay/*");
        assertThat(JSON.valueToTree(Template.fromStack(own).findResources("Custom::EcrRegistryPolicyStatements"))
                .toString()).contains("NodeRole").contains("repository/quay/*");
    }

    @Test
    void aHostLeftOutOfARuleAddedLaterIsWarnedAboutWhenItIsAdded() {
        Stack own = new Stack(TestApps.newApp(), "LaterOdd", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY)).build());
        RegistryMirrors later = cache.registryMirrors();

        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).repositoryPrefix("quay-again").build());

        Annotations.fromStack(own).hasWarning("/LaterOdd/Cache",
                Match.stringLikeRegexp(".*quay.io through rule 'quay-again'.*rule 'quay' already mirrors it.*"));
        assertThat(rendered(later.nodeScript(), own)).contains("/v2/quay\"]").doesNotContain("quay-again");
    }

    /** The text of a synthesized {@code Fn::Join} of a stack with a literal account and region. */
    private static String joined(JsonNode value) {
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.path("Ref").asText().equals("AWS::URLSuffix")) {
            return "amazonaws.com";
        }
        JsonNode join = value.path("Fn::Join");
        assertThat(join.isArray()).as("a literal or a join: %s", value).isTrue();
        List<String> parts = new java.util.ArrayList<>();
        join.path(1).forEach(part -> parts.add(joined(part)));
        return String.join(join.path(0).asText(), parts);
    }

    private static String rendered(String text, Stack in) {
        return RenderedText.of(in, text);
    }

    @Test
    void anEnvironmentAgnosticStackRendersAccountAndRegionIntoTheLaunchTemplateUserData() {
        App app = TestApps.newApp();
        Stack agnostic = new Stack(app, "Agnostic");
        PullThroughCache cache = new PullThroughCache(agnostic, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY)).build());
        LaunchTemplate.Builder.create(agnostic, "Nodes").userData(cache.registryMirrors().amazonLinux2023UserData()).build();

        JsonNode userData = JSON.valueToTree(Template.fromStack(agnostic).toJSON()).path("Resources").findValue("UserData");
        String joined = userData.path("Fn::Base64").toString();
        assertThat(joined).startsWith("{\"Fn::Join\":[\"\",[")
                .contains("{\"Ref\":\"AWS::AccountId\"}", "{\"Ref\":\"AWS::Region\"}", "{\"Ref\":\"AWS::URLSuffix\"}")
                .contains("\\\"AWS_REGION\\\", \\\"value\\\": \\\"\",{\"Ref\":\"AWS::Region\"}")
                .doesNotContain("${Token");
    }

    @Test
    void configureNodesGrantsTheRoleFillsTheLaunchTemplateAndWaitsForTheWarmUp() {
        Stack own = new Stack(TestApps.newApp(), "Nodes", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY)).build());
        cache.warm("quay.io/prometheus/node-exporter:v1.9.1");
        Role nodeRole = Role.Builder.create(own, "NodeRole").assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build();
        LaunchTemplate nodes = LaunchTemplate.Builder.create(own, "Nodes").userData(new MultipartUserData()).build();
        RegistryMirrors quay = cache.registryMirrors();

        quay.configureNodes(nodes, nodeRole);

        JsonNode template = JSON.valueToTree(Template.fromStack(own).toJSON());
        JsonNode launchTemplate = template.path("Resources").path(own.getLogicalId(
                (software.amazon.awscdk.CfnElement) nodes.getNode().getDefaultChild()));
        // the parts of amazonLinux2023UserData, in the launch template's own user data
        String userData = launchTemplate.path("Properties").path("LaunchTemplateData").path("UserData").toString();
        assertThat(userData).contains("Content-Type: application/node.eks.aws", "kind: NodeConfig",
                "/etc/containerd/certs.d/quay.io/hosts.toml");
        // the warmer's deploy-time run is there before the nodes that pull what it cached
        String warmerRun = template.path("Resources").properties().stream()
                .filter(entry -> entry.getValue().path("Type").asText().equals("Custom::EcrCacheWarmer"))
                .map(java.util.Map.Entry::getKey).findFirst().orElseThrow();
        assertThat(launchTemplate.path("DependsOn").toString()).contains(warmerRun);
        assertThat(template.toString()).contains("repository/quay/*", "ecr:BatchImportUpstreamImage",
                "ecr:GetAuthorizationToken");
        assertThat(JSON.valueToTree(Template.fromStack(own).findResources("Custom::EcrRegistryPolicyStatements"))
                .toString()).as("the node role is a puller of the quay rule's statement").contains("NodeRole");
    }

    @Test
    void configureNodesRefusesALaunchTemplateWhoseUserDataTakesNoParts() {
        Stack own = new Stack(TestApps.newApp(), "Nodes", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(own, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY)).build());
        Role nodeRole = Role.Builder.create(own, "NodeRole").assumedBy(new ServicePrincipal("ec2.amazonaws.com")).build();
        LaunchTemplate shell = LaunchTemplate.Builder.create(own, "Shell")
                .userData(software.amazon.awscdk.services.ec2.UserData.forLinux()).build();

        assertThatThrownBy(() -> cache.registryMirrors().configureNodes(shell, nodeRole))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RegistryMirrors.configureNodes: the launch template Nodes/Shell has user data that is not "
                        + "multipart. Create it with .userData(new MultipartUserData()): the mirrors' NodeConfig and "
                        + "script are parts of it, beside parts of your own");
    }

    @Test
    void theEc2NodeClassUserDataIsTheMultipartTextOfTheAmazonLinux2023Parts() {
        String userData = rendered(mirrors.ec2NodeClassUserData());
        assertThat(userData).isEqualTo(rendered(mirrors.amazonLinux2023UserData().render()))
                .startsWith("Content-Type: multipart/mixed; boundary=").contains("MIME-Version: 1.0")
                .contains("Content-Type: application/node.eks.aws", "Content-Type: text/x-shellscript");
    }
}
