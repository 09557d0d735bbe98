package io.github.pullthroughcache.kubernetes;

import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MultipartBody;
import software.amazon.awscdk.services.ec2.MultipartBodyOptions;
import software.amazon.awscdk.services.ec2.MultipartUserData;
import software.amazon.awscdk.services.ec2.UserData;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.IDependable;

/**
 * Lets Kubernetes nodes pull unchanged image references ({@code docker.io/library/nginx:1.27}, {@code nginx:1.27},
 * {@code quay.io/...}) through a pull through cache: a containerd registry mirror per upstream host, and the
 * kubelet's ECR credential provider answering those hosts with a token of the cache's registry. Made by
 * {@code IPullThroughCache.registryMirrors()}, from the cache's model ({@link ICacheModel}): what goes into a
 * template is rendered when the app is synthesized, so a rule added after that call is mirrored too.
 *
 * <p>What is rendered at synthesis (aws-cdk's {@code Lazy}, as {@code Repository} renders its policy), so that they
 * agree with each other whatever is added later: {@link #credentialProviderConfig()}, {@link #nodeScript()},
 * {@link #amazonLinux2023UserData()}, {@link #ec2NodeClassUserData()}, the parts {@link #configureNodes} adds and
 * {@link #bottlerocketSettings()}. A grant of {@link #grantPull} (and of {@code configureNodes}) also covers the
 * rules mirrored later: the model tells the mirrors of each one added ({@link ICacheModel#forEachServed}). What comes
 * back to the caller as plain Java values is what the cache serves at that call: {@link #getHosts()},
 * {@link #getNotMirrored()}, {@link #getImagePatterns()}, {@link #getEndpoint} and {@link #hostsToml} (a host's file
 * never changes once it is mirrored: the first rule of a host keeps it), and the {@code Grant} returned.
 *
 * <p>What the files say, and the sources they rest on:
 * <ul>
 *   <li>{@link #hostsToml}: {@code server} is the upstream (tried last); one {@code [host."https://<registry>/v2/<prefix>"]}
 *     with {@code capabilities = ["pull", "resolve"]} and {@code override_path = true}. containerd's
 *     {@code docs/hosts.md} ("override_path field": the host's API root is the URL path) and
 *     {@code core/remotes/docker/config/hosts.go} ({@code parseHostConfig}: without it, {@code /v2} is appended to a
 *     path that does not end in {@code /v2}, so the cache would be asked for {@code /v2/<prefix>/v2/...}, answer 404,
 *     and containerd would quietly fall back to the upstream).</li>
 *   <li>{@link #credentialProviderConfig}: the kubelet's {@code CredentialProviderConfig} (kubelet-config.v1) for
 *     {@code ecr-credential-provider}, matching the ECR hosts nodeadm matches
 *     ({@code nodeadm/internal/kubelet/image-credential-provider.template.json}) plus every mirrored host, with
 *     {@code AWS_REGION} set: from v1.29 the provider answers a host that is not ECR's with a private ECR token of the
 *     SDK's region (kubernetes/cloud-provider-aws issue #668, PR #673). The kubelet passes that token with no server
 *     address ({@code pkg/kubelet/kuberuntime/kuberuntime_image.go}), and containerd's CRI plugin then gives it to
 *     every host it tries for that image, the mirror included ({@code ParseAuth} in CRI's {@code image_pull.go}).</li>
 *   <li>{@link #amazonLinux2023UserData}: a nodeadm {@code NodeConfig} part and a shell part, for a launch
 *     template of a managed node group or a Karpenter {@code EC2NodeClass}.</li>
 *   <li>{@link #bottlerocketSettings}: Bottlerocket's {@code settings.container-registry.mirrors} and
 *     {@code settings.kubernetes.credential-providers.ecr-credential-provider}.</li>
 * </ul>
 *
 * <p>Hosts left out, each with a synth-time warning on the cache that says why (see {@link #getNotMirrored()}):
 * <ul>
 *   <li>{@code public.ecr.aws}: {@code ecr-credential-provider} answers that host with an Amazon ECR <em>Public</em>
 *     token ({@code cmd/ecr-credential-provider/main.go}: an image of {@code public.ecr.aws} takes the ECR Public
 *     path; kubernetes/cloud-provider-aws issue #651), which the private registry refuses. Route those images with
 *     {@code imageUri}.</li>
 *   <li>a rule with an upstream repository prefix: containerd sends the upstream repository path unchanged, so the
 *     cache would be asked for {@code <prefix>/<upstream prefix>/...}, which it maps to the wrong upstream
 *     repository.</li>
 *   <li>a rule whose prefix is a token: whether it is ROOT, or ends in {@code /}, is unknown at synth.</li>
 *   <li>ECR to ECR from another region: the credential provider answers an ECR host with a token of that host's
 *     region, which the cache's registry refuses.</li>
 *   <li>a second rule for a host already mirrored: containerd takes one mirror per host here; the first rule wins.</li>
 *   <li>a copied registry ({@code UpstreamRegistry.copied}): the registry holds only the images the app copied, and
 *     containerd would send any other to the upstream with the ECR token, which it refuses.</li>
 * </ul>
 *
 * <p>Once ECR credentials are attached to a mirrored host, containerd's fallback to the upstream (the
 * {@code server}) sends those same credentials there, and registries such as Docker Hub refuse them: the fallback is
 * not a safety net. EKS Auto Mode nodes take no user data and have a read-only root: they cannot be configured this
 * way.
 *
 * <p>Every rule's upstream is mirrored by one method, {@code mirrorOf}: the mirror key is
 * {@link UpstreamRegistry#getImageHost()} and the fallback server {@code https://} + {@link UpstreamRegistry#getUrl()}.
 */
public final class RegistryMirrors {

    /** Where containerd reads the hosts files: the first directory of EKS AL2023's {@code config_path}. */
    public static final String HOSTS_DIRECTORY = "/etc/containerd/certs.d";

    /**
     * Where the user data writes {@link #credentialProviderConfig()}: beside nodeadm's own {@code config.json}, whose
     * directory is the kubelet's {@code --image-credential-provider-bin-dir}.
     */
    public static final String CREDENTIAL_PROVIDER_CONFIG_PATH =
            "/etc/eks/image-credential-provider/pull-through-cache.json";

    /** The credential provider's name: the name of its binary in the kubelet's provider directory. */
    public static final String CREDENTIAL_PROVIDER = "ecr-credential-provider";

    /**
     * The ECR registry hosts nodeadm's configuration matches
     * ({@code awslabs/amazon-eks-ami} {@code nodeadm/internal/kubelet/image-credential-provider.template.json}); the
     * file written here replaces that one, so it keeps them.
     */
    public static final List<String> ECR_IMAGE_PATTERNS = List.of("*.dkr.ecr.*.amazonaws.com", "*.dkr-ecr.*.on.aws",
            "*.dkr.ecr.*.amazonaws.com.cn", "*.dkr-ecr.*.on.amazonwebservices.com.cn", "*.dkr.ecr-fips.*.amazonaws.com",
            "*.dkr-ecr-fips.*.on.aws", "*.dkr.ecr.*.c2s.ic.gov", "*.dkr.ecr.*.sc2s.sgov.gov", "*.dkr.ecr.*.cloud.adc-e.uk",
            "*.dkr.ecr.*.amazonaws.eu");

    /** How long the kubelet keeps a token the provider returned without a duration (kops and nodeadm use 12h). */
    public static final String DEFAULT_CACHE_DURATION = "12h";

    private static final String WARNING = "@pullthroughcache/kubernetes:not-mirrored";
    private static final String HEREDOC = "PULL_THROUGH_CACHE_EOF";

    /** One mirrored host: the rule that serves it, the upstream server, and the cache's endpoint. */
    private record Mirror(IPullThroughCacheRule rule, String host, String server, String endpoint) {
    }

    /**
     * What the cache serves now, as mirrors: the mirrored hosts, the hosts left out with why, and why each rule that
     * mirrors nothing is left out.
     */
    private record Served(String region, Map<String, Mirror> mirrors, Map<String, String> notMirrored,
                          Map<IPullThroughCacheRule, String> refused) {
    }

    private final ICacheModel cache;
    private final BiFunction<IPullThroughCacheRule, IGrantable, Grant> grantPull;
    /** What puts the images in the registry before nodes pull them (the warmer's run), or {@code null}. */
    private final IDependable warmUp;
    /** Those granted the pulls so far: each rule mirrored later is granted to them too. */
    private final List<IGrantable> grantees = new ArrayList<>();

    private RegistryMirrors(ICacheModel cache, BiFunction<IPullThroughCacheRule, IGrantable, Grant> grantPull,
                            IDependable warmUp) {
        this.cache = cache;
        this.grantPull = grantPull;
        this.warmUp = warmUp;
        // checked when the app is synthesized: a rule may still be added after this call
        cache.getNode().addValidation(() -> cache.getServed().isEmpty() ? List.of(noRule()) : List.of());
        cache.forEachServed(this::added);
    }

    /**
     * The mirrors of a cache, each rule granted with its own {@code grantPull}.
     *
     * @param cache the cache's model (any {@code IPullThroughCache}), where warnings about hosts left out go
     * @return the mirrors
     */
    public static RegistryMirrors of(ICacheModel cache) {
        return of(cache, IPullThroughCacheRule::grantPull, null);
    }

    /**
     * The mirrors of a cache, granted by the cache (a cache of this stack also lets the grantee into its registry
     * policy), with what nodes wait for before their first pull.
     *
     * @param cache the cache's model (any {@code IPullThroughCache}), where warnings about hosts left out go
     * @param grantPull how the cache grants a grantee the pulls of one of its rules
     * @param warmUp what puts the images in the registry before nodes pull them (the cache's {@code getWarmUp()}),
     *     or {@code null}
     * @return the mirrors
     */
    public static RegistryMirrors of(ICacheModel cache, BiFunction<IPullThroughCacheRule, IGrantable, Grant> grantPull,
                                     IDependable warmUp) {
        return new RegistryMirrors(cache, grantPull, warmUp);
    }

    private String noRule() {
        return "registryMirrors of " + cache.getNode().getPath() + ": the cache has no rule, so there is no upstream "
                + "host to mirror. Add upstreams to the cache";
    }

    /** A rule or copied registry the cache serves, told once: warns when it is left out, else grants its pulls. */
    private void added(IPullThroughCacheRule target) {
        Served served = served();
        String refused = served.refused().get(target);
        if (refused != null) {
            Annotations.of(cache).addWarningV2(WARNING, "Kubernetes nodes will not pull "
                    + target.getUpstream().getImageHost() + " through rule '" + target.getRepositoryPrefix() + "' of "
                    + cache.getNode().getPath() + ": " + refused);
        } else {
            grantees.forEach(grantee -> grantPull.apply(target, grantee));
        }
    }

    /** The mirrors of what the cache serves now; the first rule of a host keeps it, so a mirror never changes. */
    private Served served() {
        List<IPullThroughCacheRule> rules = cache.getServed();
        String region = rules.isEmpty() ? null : rules.get(0).getEnv().getRegion();
        Map<String, Mirror> mirrors = new LinkedHashMap<>();
        Map<String, String> notMirrored = new LinkedHashMap<>();
        Map<IPullThroughCacheRule, String> refused = new java.util.IdentityHashMap<>();
        for (IPullThroughCacheRule rule : rules) {
            String why = refusal(rule, region);
            String host = rule.getUpstream().getImageHost();
            if (why == null && mirrors.containsKey(host)) {
                why = "rule '" + mirrors.get(host).rule().getRepositoryPrefix() + "' already mirrors it; containerd "
                        + "takes the first rule of a host here";
            }
            if (why != null) {
                notMirrored.putIfAbsent(host, why);
                refused.put(rule, why);
                continue;
            }
            mirrors.put(host, mirrorOf(rule, cache.getRegistryHost()));
            notMirrored.remove(host);
        }
        return new Served(region, mirrors, notMirrored, refused);
    }

    /** Why a rule's host cannot be mirrored, or {@code null} when it can. */
    private static String refusal(IPullThroughCacheRule rule, String region) {
        UpstreamRegistry upstream = rule.getUpstream();
        if (upstream.isCopied()) {
            return "its images are copied into the registry, not pulled through: the cache holds only the images the "
                    + "app routes or warms, and containerd would send any other to " + upstream.getUrl() + " with the "
                    + "ECR token, which that registry refuses; route these images with imageUri";
        }
        if ("ecr-public".equals(upstream.getType())) {
            return "ecr-credential-provider answers public.ecr.aws with an Amazon ECR Public token, which the private "
                    + "registry refuses (kubernetes/cloud-provider-aws cmd/ecr-credential-provider, issue #651); route "
                    + "these images with imageUri, or pull them from public.ecr.aws directly";
        }
        if (rule.getUpstreamRepositoryPrefix() != null) {
            return "its upstreamRepositoryPrefix '" + rule.getUpstreamRepositoryPrefix() + "' is not part of the "
                    + "cached repository names, but containerd sends the upstream repository path unchanged; route these "
                    + "images with imageUri";
        }
        if (Tokens.isUnresolved(rule.getRepositoryPrefix())) {
            return "its repository prefix is a token, so its path (ROOT, or a trailing '/') is unknown at synth; give "
                    + "the rule a literal prefix";
        }
        if (upstream.isEcrPrivate() && !Tokens.isUnresolved(upstream.getEcrRegion()) && !Tokens.isUnresolved(region)
                && !upstream.getEcrRegion().equals(region)) {
            return "ecr-credential-provider answers an ECR host with a token of that host's region ("
                    + upstream.getEcrRegion() + "), which the cache's registry in " + region + " refuses; route these "
                    + "images with imageUri";
        }
        return null;
    }

    /**
     * The one place that turns a rule into a mirror: the host people write in image references, the upstream as the
     * fallback server, and the cache's {@code /v2/<prefix>} as the mirror's API root ({@code /v2} for ROOT).
     */
    private static Mirror mirrorOf(IPullThroughCacheRule rule, String registryHost) {
        UpstreamRegistry upstream = rule.getUpstream();
        String path = RepositoryPrefix.toPath(rule.getRepositoryPrefix());
        return new Mirror(rule, upstream.getImageHost(), "https://" + upstream.getUrl(),
                "https://" + registryHost + "/v2" + (path.isEmpty() ? "" : "/" + path));
    }

    /**
     * @return the upstream hosts mirrored when this is called, in rule order, such as {@code docker.io} and
     *     {@code quay.io}; what the node files hold is rendered at synthesis, so a host mirrored later is there too
     */
    public List<String> getHosts() {
        return List.copyOf(served().mirrors().keySet());
    }

    /**
     * @return the upstream hosts of the cache's rules that are not mirrored when this is called, each with why (also
     *     a warning at synth)
     */
    public Map<String, String> getNotMirrored() {
        return Map.copyOf(served().notMirrored());
    }

    /**
     * @param host a mirrored host, as {@link #getHosts()} returns it
     * @return where containerd pulls that host's images from, {@code https://<registry>/v2/<prefix>}
     * @throws IllegalArgumentException when the host is not mirrored
     */
    public String getEndpoint(String host) {
        return mirror(host).endpoint();
    }

    private Mirror mirror(String host) {
        Served served = served();
        Mirror mirror = served.mirrors().get(host);
        if (mirror == null) {
            String why = served.notMirrored().get(host);
            throw new IllegalArgumentException("RegistryMirrors of " + cache.getNode().getPath() + ": host '" + host
                    + "' is not mirrored" + (why != null ? ": " + why : "") + ". Mirrored hosts: "
                    + List.copyOf(served.mirrors().keySet()));
        }
        return mirror;
    }

    /**
     * containerd's {@code hosts.toml} for a host, to be written to {@code /etc/containerd/certs.d/<host>/hosts.toml}.
     *
     * @param host a mirrored host, such as {@code docker.io}
     * @return the file's text; it holds tokens when the cache's account or region is one
     * @throws IllegalArgumentException when the host is not mirrored when this is called, saying why
     */
    public String hostsToml(String host) {
        return hostsToml(mirror(host));
    }

    private static String hostsToml(Mirror mirror) {
        String host = mirror.host();
        // docs/hosts.md: hosts are tried in order, then server; "pull" and "resolve" let tags resolve on the mirror;
        // override_path makes the URL path the API root (hosts.go parseHostConfig), no /v2 appended
        return "# " + host + " through Amazon ECR pull through cache rule '" + mirror.rule().getRepositoryPrefix()
                + "' (" + mirror.rule().getUpstream().getDisplayName() + ")\n"
                + "server = \"" + mirror.server() + "\"\n"
                + "\n"
                + "[host.\"" + mirror.endpoint() + "\"]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n"
                + "  override_path = true\n";
    }

    /**
     * @return the image patterns of the credential provider when this is called: ECR's hosts, then every host
     *     mirrored (the files render those of synthesis)
     */
    public List<String> getImagePatterns() {
        return imagePatterns(served());
    }

    private static List<String> imagePatterns(Served served) {
        List<String> patterns = new ArrayList<>(ECR_IMAGE_PATTERNS);
        patterns.addAll(served.mirrors().keySet());
        return List.copyOf(patterns);
    }

    /** The text rendered when the app is synthesized, from what the cache serves then. */
    private String atSynthesis(java.util.function.Function<Served, String> render) {
        return Lazy.string(() -> {
            Served served = served();
            if (served.region() == null) {
                throw new IllegalArgumentException(noRule());
            }
            return render.apply(served);
        });
    }

    /**
     * The kubelet's {@code CredentialProviderConfig} ({@code kubelet.config.k8s.io/v1}, Kubernetes 1.27 and later) for
     * {@code ecr-credential-provider} v1.29 or later, written by {@link #amazonLinux2023UserData()} to
     * {@value #CREDENTIAL_PROVIDER_CONFIG_PATH}.
     *
     * @return the JSON text, rendered at synthesis; a token
     */
    public String credentialProviderConfig() {
        return atSynthesis(RegistryMirrors::credentialProviderConfig);
    }

    private static String credentialProviderConfig(Served served) {
        String patterns = imagePatterns(served).stream().map(p -> "        " + quote(p)).collect(Collectors.joining(",\n"));
        return "{\n"
                + "  \"apiVersion\": \"kubelet.config.k8s.io/v1\",\n"
                + "  \"kind\": \"CredentialProviderConfig\",\n"
                + "  \"providers\": [\n"
                + "    {\n"
                + "      \"name\": " + quote(CREDENTIAL_PROVIDER) + ",\n"
                + "      \"matchImages\": [\n" + patterns + "\n      ],\n"
                + "      \"defaultCacheDuration\": " + quote(DEFAULT_CACHE_DURATION) + ",\n"
                + "      \"apiVersion\": \"credentialprovider.kubelet.k8s.io/v1\",\n"
                + "      \"env\": [\n"
                + "        { \"name\": \"AWS_REGION\", \"value\": " + quote(served.region()) + " }\n"
                + "      ]\n"
                + "    }\n"
                + "  ]\n"
                + "}\n";
    }

    /**
     * User data for Amazon Linux 2023 EKS nodes (nodeadm), for the launch template of a managed node group or the
     * {@code userData} of a Karpenter {@code EC2NodeClass}. Two parts:
     * <ol>
     *   <li>a {@code NodeConfig} ({@code application/node.eks.aws}) that sets containerd's
     *     {@code [plugins.'io.containerd.cri.v1.images'] use_local_image_pull = true} (containerd 2.1 and later pull
     *     through the transfer service, which reads EKS's colon-separated {@code config_path} as one directory and so
     *     ignores the hosts files: containerd#12415, spegel-org/spegel#1272; containerd 1.7 ignores the key) and the
     *     kubelet flag {@code --image-credential-provider-config=}{@value #CREDENTIAL_PROVIDER_CONFIG_PATH}
     *     (nodeadm appends {@code spec.kubelet.flags} after its own, {@code nodeadm/internal/kubelet/environment.go},
     *     so it wins over nodeadm's file);</li>
     *   <li>a shell script that writes each {@link #hostsToml} and {@link #credentialProviderConfig}. It runs in
     *     cloud-init's final stage: after {@code nodeadm-config.service} and before {@code nodeadm-run.service},
     *     which starts the kubelet ({@code amazon-eks-ami templates/al2023/runtime/rootfs/etc/systemd/system/}).</li>
     * </ol>
     * EKS merges a managed node group's own {@code NodeConfig} with these parts; Karpenter puts its {@code NodeConfig}
     * first, then these ({@code karpenter-provider-aws pkg/providers/amifamily/bootstrap/nodeadm.go}). A new object on
     * each call: add parts of your own to it.
     *
     * @return the MIME multi-part user data
     */
    public MultipartUserData amazonLinux2023UserData() {
        MultipartUserData userData = new MultipartUserData();
        addAmazonLinux2023Parts(userData);
        return userData;
    }

    /** Adds the {@code NodeConfig} part and the shell part of {@link #amazonLinux2023UserData()}. */
    private void addAmazonLinux2023Parts(MultipartUserData userData) {
        userData.addPart(MultipartBody.fromRawBody(MultipartBodyOptions.builder()
                .contentType("application/node.eks.aws")
                .body(nodeConfig())
                .build()));
        userData.addPart(MultipartBody.fromRawBody(MultipartBodyOptions.builder()
                .contentType(MultipartBody.SHELL_SCRIPT)
                .body(nodeScript())
                .build()));
    }

    /**
     * Sets up the Amazon Linux 2023 nodes of a launch template in one call, for a managed node group or an
     * auto scaling group: grants the node role the pulls ({@link #grantPull}), adds the parts of
     * {@link #amazonLinux2023UserData()} to the launch template's user data, and makes the launch template, so the
     * node group that uses it, wait for the cache's warm-up (the warmer's deploy-time run) when the cache has one.
     *
     * <pre>
     * LaunchTemplate nodes = LaunchTemplate.Builder.create(this, "Nodes")
     *         .userData(new MultipartUserData()).requireImdsv2(true).build();
     * cache.registryMirrors().configureNodes(nodes, nodeRole);
     * </pre>
     *
     * @param launchTemplate a launch template made with {@code .userData(new MultipartUserData())}: the parts are
     *     added after those it has
     * @param nodeRole the nodes' role (or any grantable)
     * @return the grants, combined
     * @throws IllegalArgumentException when the launch template's user data is not a {@link MultipartUserData}
     */
    public Grant configureNodes(LaunchTemplate launchTemplate, IGrantable nodeRole) {
        UserData userData = launchTemplate.getUserData();
        if (!(userData instanceof MultipartUserData multipart)) {
            throw new IllegalArgumentException("RegistryMirrors.configureNodes: the launch template "
                    + launchTemplate.getNode().getPath() + " has " + (userData == null ? "no user data" : "user data "
                    + "that is not multipart") + ". Create it with .userData(new MultipartUserData()): the mirrors' "
                    + "NodeConfig and script are parts of it, beside parts of your own");
        }
        addAmazonLinux2023Parts(multipart);
        if (warmUp != null) {
            launchTemplate.getNode().addDependency(warmUp);
        }
        return grantPull(nodeRole);
    }

    /**
     * The user data of a Karpenter {@code EC2NodeClass} with {@code amiFamily: AL2023}, for its {@code spec.userData}:
     * the MIME multi-part text of {@link #amazonLinux2023UserData()}. Karpenter puts its own {@code NodeConfig} first,
     * then these parts ({@code karpenter-provider-aws} {@code pkg/providers/amifamily/bootstrap/nodeadm.go}). Karpenter
     * creates its nodes outside CloudFormation: grant the role of its node class with {@link #grantPull}.
     *
     * @return the MIME text, whose files are rendered at synthesis: it holds tokens
     */
    public String ec2NodeClassUserData() {
        return amazonLinux2023UserData().render();
    }

    /**
     * @return the shell part of {@link #amazonLinux2023UserData()}: writes each {@link #hostsToml} to
     *     {@value #HOSTS_DIRECTORY}{@code /<host>/hosts.toml} and {@link #credentialProviderConfig} to
     *     {@value #CREDENTIAL_PROVIDER_CONFIG_PATH}, rendered at synthesis (a token)
     */
    public String nodeScript() {
        return atSynthesis(served -> {
            StringBuilder script = new StringBuilder("#!/bin/bash\nset -euo pipefail\n");
            for (Mirror mirror : served.mirrors().values()) {
                writeFile(script, HOSTS_DIRECTORY + "/" + mirror.host(), "hosts.toml", hostsToml(mirror));
            }
            int slash = CREDENTIAL_PROVIDER_CONFIG_PATH.lastIndexOf('/');
            writeFile(script, CREDENTIAL_PROVIDER_CONFIG_PATH.substring(0, slash),
                    CREDENTIAL_PROVIDER_CONFIG_PATH.substring(slash + 1), credentialProviderConfig(served));
            return script.toString();
        });
    }

    /** Appends the commands that write a file verbatim (a quoted here-document expands nothing). */
    private static void writeFile(StringBuilder script, String directory, String name, String text) {
        script.append("mkdir -p '").append(directory).append("'\n")
                .append("cat > '").append(directory).append('/').append(name).append("' <<'").append(HEREDOC).append("'\n")
                .append(text).append(HEREDOC).append('\n');
    }

    /** @return the {@code NodeConfig} part of {@link #amazonLinux2023UserData()} (nodeadm's YAML) */
    public String nodeConfig() {
        return "---\n"
                + "apiVersion: node.eks.aws/v1alpha1\n"
                + "kind: NodeConfig\n"
                + "spec:\n"
                + "  containerd:\n"
                + "    config: |\n"
                + "      [plugins.'io.containerd.cri.v1.images']\n"
                + "      use_local_image_pull = true\n"
                + "  kubelet:\n"
                + "    flags:\n"
                + "      - --image-credential-provider-config=" + CREDENTIAL_PROVIDER_CONFIG_PATH + "\n";
    }

    /**
     * Bottlerocket settings (TOML) for the user data of a Bottlerocket node: a
     * {@code [[settings.container-registry.mirrors]]} per mirrored host, whose endpoint carries {@code /v2/<prefix>},
     * and the kubelet's {@code ecr-credential-provider} with the image patterns (they replace Bottlerocket's default
     * list, so ECR's hosts are kept) and {@code AWS_REGION}. EKS merges a managed node group's own
     * {@code [settings.kubernetes]} with them. Bottlerocket writes the mirrors as the CRI plugin's
     * {@code registry.mirrors} ({@code bottlerocket-core-kit}
     * {@code packages/containerd/containerd-config-toml_k8s_containerd_sock}), where containerd takes an endpoint's path as the registry API's root (it adds {@code /v2} only to an endpoint
     * without a path) and gives the kubelet's credentials to every host. The first release that pulls through the
     * cache this way is Bottlerocket 1.18.0 (2024-01-16) with its Kubernetes 1.29 variants (and later ones): the
     * first to ship {@code ecr-credential-provider} 1.29 (bottlerocket commit aa648066, "Add
     * ecr-credential-provider-1.29 package"; CHANGELOG v1.18.0 "Add Kubernetes 1.29 variants (#3628)"), which
     * answers a mirrored host with a token of the cache's registry. The credential providers' {@code environment}
     * setting dates from 1.14.0 (#2934). Older variants ship a provider that answers ECR hosts only, so the mirror
     * gets no token and the pull fails with 401 or falls back to the upstream (bottlerocket#2427, and #3631 on
     * aws-k8s-1.27 1.16.1). Bottlerocket 1.39.0's Kubernetes 1.33 variants bypassed mirrors (bottlerocket#4520; fixed
     * in 1.39.1, per #4564).
     *
     * @return the TOML text, rendered at synthesis (a token)
     */
    public String bottlerocketSettings() {
        return atSynthesis(RegistryMirrors::bottlerocketSettings);
    }

    private static String bottlerocketSettings(Served served) {
        StringBuilder toml = new StringBuilder();
        for (Mirror mirror : served.mirrors().values()) {
            // bottlerocket.dev settings/container-registry: registry and its endpoints, tried in order
            toml.append("[[settings.container-registry.mirrors]]\n")
                    .append("registry = ").append(quote(mirror.host())).append('\n')
                    .append("endpoint = [").append(quote(mirror.endpoint())).append("]\n\n");
        }
        String patterns = imagePatterns(served).stream().map(RegistryMirrors::quote).collect(Collectors.joining(", "));
        toml.append("[settings.kubernetes.credential-providers.").append(CREDENTIAL_PROVIDER).append("]\n")
                .append("enabled = true\n")
                .append("cache-duration = ").append(quote(DEFAULT_CACHE_DURATION)).append('\n')
                .append("image-patterns = [").append(patterns).append("]\n\n")
                .append("[settings.kubernetes.credential-providers.").append(CREDENTIAL_PROVIDER).append(".environment]\n")
                .append("AWS_REGION = ").append(quote(served.region())).append('\n');
        return toml.toString();
    }

    /**
     * Grants a node role what pulling through every mirrored rule needs: the first pull and the reads on each mirrored
     * prefix, and {@code ecr:GetAuthorizationToken}. For a cache of another account this is the identity side; the
     * cache's sharing lets the account in. A rule mirrored after this call is granted to the node role when it is
     * added.
     *
     * @param nodeRole the nodes' role (or any grantable)
     * @return the grants of the rules mirrored when this is called, combined
     */
    public Grant grantPull(IGrantable nodeRole) {
        grantees.add(nodeRole);
        Grant grant = null;
        for (Mirror mirror : served().mirrors().values()) {
            Grant ruleGrant = grantPull.apply(mirror.rule(), nodeRole);
            grant = grant == null ? ruleGrant : grant.combine(ruleGrant);
        }
        return grant != null ? grant : Grant.drop(nodeRole, "registry mirrors of " + cache.getNode().getPath()
                + ", which mirror no host");
    }

    /** A JSON or TOML basic string: both escape {@code "} and {@code \} alike. */
    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
