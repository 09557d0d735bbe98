package io.github.pullthroughcache.rule;

import io.github.pullthroughcache.internal.SupportedRegions;
import io.github.pullthroughcache.internal.Tokens;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awscdk.services.secretsmanager.CfnSecret;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * A registry that Amazon ECR can pull through: which one, its URL, the repository prefix a cache rule
 * uses for it by default, and its credential when it needs one.
 *
 * <p>Registries that need no credential are constants ({@link #ECR_PUBLIC}, {@link #QUAY},
 * {@link #KUBERNETES}); the others are made by a factory that takes what they need, so that a rule
 * can never be written without it. Each of those also has a form without the credential
 * ({@link #dockerHub()} and the like): it names the upstream of a rule that lives elsewhere
 * ({@code PullThroughCacheRule.fromRuleAttributes}), whose registry holds the credential, and a rule cannot be
 * made from it.
 */
public final class UpstreamRegistry {

    /** The prefix every credential secret's name must start with: ECR's service-linked role reads only those. */
    public static final String SECRET_NAME_PREFIX = "ecr-pullthroughcache/";

    /** Amazon ECR Public, {@code public.ecr.aws}. Default prefix {@code ecr-public}. */
    public static final UpstreamRegistry ECR_PUBLIC =
            new UpstreamRegistry("ecr-public", "Amazon ECR Public", "public.ecr.aws", "ecr-public", null, null, null);

    /** Quay, {@code quay.io}. Default prefix {@code quay}. */
    public static final UpstreamRegistry QUAY =
            new UpstreamRegistry("quay", "Quay", "quay.io", "quay", null, null, null);

    /** The Kubernetes project's registry, {@code registry.k8s.io}. Default prefix {@code k8s}. */
    public static final UpstreamRegistry KUBERNETES =
            new UpstreamRegistry("k8s", "Kubernetes", "registry.k8s.io", "k8s", null, null, null);

    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d+$");
    private static final Pattern AZURE_NAME = Pattern.compile("^[a-zA-Z0-9]{5,50}$");
    /** A registry host as image references name it: DNS labels, lowercase, and an optional port. */
    private static final Pattern COPIED_HOST = Pattern.compile(
            "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::[0-9]{1,5})?$");
    /** The {@link #getType() type} of a copied registry: none of ECR's, since no rule is made for it. */
    static final String COPIED = "copied";

    private final String type;
    private final String displayName;
    private final String url;
    private final String defaultRepositoryPrefix;
    private final ISecret credential;
    private final String ecrAccount;
    private final String ecrRegion;
    /** For a registry that needs a credential: the factory that takes it, for messages. */
    private final String credentialFactory;

    private UpstreamRegistry(String type, String displayName, String url, String defaultRepositoryPrefix,
                             ISecret credential, String ecrAccount, String ecrRegion) {
        this(type, displayName, url, defaultRepositoryPrefix, credential, ecrAccount, ecrRegion, null);
    }

    private UpstreamRegistry(String type, String displayName, String url, String defaultRepositoryPrefix,
                             ISecret credential, String ecrAccount, String ecrRegion, String credentialFactory) {
        this.type = type;
        this.displayName = displayName;
        this.url = url;
        this.defaultRepositoryPrefix = defaultRepositoryPrefix;
        this.credential = credential;
        this.ecrAccount = ecrAccount;
        this.ecrRegion = ecrRegion;
        this.credentialFactory = credentialFactory;
    }

    /**
     * Docker Hub, {@code registry-1.docker.io}. Default prefix {@code docker-hub}.
     *
     * @param credential a secret named {@code ecr-pullthroughcache/...} holding {@code username} and
     *                   {@code accessToken} (a Docker Hub access token); see {@link UpstreamCredentialSecret}
     * @return the registry
     */
    public static UpstreamRegistry dockerHub(ISecret credential) {
        return withCredential(dockerHub(), credential);
    }

    /**
     * Docker Hub named without its credential: the upstream of a rule that lives elsewhere. A rule takes
     * {@link #dockerHub(ISecret)}.
     *
     * @return the registry, as a reference
     */
    public static UpstreamRegistry dockerHub() {
        return reference("docker-hub", "Docker Hub", "registry-1.docker.io", "docker-hub", "dockerHub");
    }

    /**
     * GitHub Container Registry, {@code ghcr.io}. Default prefix {@code github}.
     *
     * @param credential a secret named {@code ecr-pullthroughcache/...} holding {@code username} and
     *                   {@code accessToken} (a GitHub personal access token)
     * @return the registry
     */
    public static UpstreamRegistry githubContainerRegistry(ISecret credential) {
        return withCredential(githubContainerRegistry(), credential);
    }

    /**
     * GitHub Container Registry named without its credential: the upstream of a rule that lives elsewhere.
     *
     * @return the registry, as a reference
     */
    public static UpstreamRegistry githubContainerRegistry() {
        return reference("github-container-registry", "GitHub Container Registry", "ghcr.io", "github",
                "githubContainerRegistry");
    }

    /**
     * GitLab Container Registry (GitLab.com only), {@code registry.gitlab.com}. Default prefix {@code gitlab}.
     *
     * @param credential a secret named {@code ecr-pullthroughcache/...} holding {@code username} and
     *                   {@code accessToken} (a GitLab access token)
     * @return the registry
     */
    public static UpstreamRegistry gitlabContainerRegistry(ISecret credential) {
        return withCredential(gitlabContainerRegistry(), credential);
    }

    /**
     * GitLab Container Registry named without its credential: the upstream of a rule that lives elsewhere.
     *
     * @return the registry, as a reference
     */
    public static UpstreamRegistry gitlabContainerRegistry() {
        return reference("gitlab-container-registry", "GitLab Container Registry", "registry.gitlab.com", "gitlab",
                "gitlabContainerRegistry");
    }

    /**
     * A Microsoft Azure Container Registry, {@code <registryName>.azurecr.io}. Default prefix {@code azure}.
     *
     * @param registryName the registry's name, 5 to 50 letters and digits (the part before {@code .azurecr.io})
     * @param credential a secret named {@code ecr-pullthroughcache/...} holding {@code username} and
     *                   {@code accessToken}
     * @return the registry
     */
    public static UpstreamRegistry azureContainerRegistry(String registryName, ISecret credential) {
        return withCredential(azureContainerRegistry(registryName), credential);
    }

    /**
     * A Microsoft Azure Container Registry named without its credential: the upstream of a rule that lives
     * elsewhere.
     *
     * @param registryName the registry's name, as {@link #azureContainerRegistry(String, ISecret)} takes it
     * @return the registry, as a reference
     */
    public static UpstreamRegistry azureContainerRegistry(String registryName) {
        if (registryName == null) {
            throw new IllegalArgumentException("UpstreamRegistry.azureContainerRegistry: registryName is required, "
                    + "the part before '.azurecr.io' such as 'myregistry'");
        }
        String name = registryName;
        if (!Tokens.isUnresolved(name)) {
            if (name.toLowerCase(Locale.ROOT).endsWith(".azurecr.io")) {
                name = name.substring(0, name.length() - ".azurecr.io".length());
            }
            if (!AZURE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("UpstreamRegistry.azureContainerRegistry: registryName '"
                        + registryName + "' is invalid: expected 5 to 50 letters and digits, such as 'myregistry'");
            }
            name = name.toLowerCase(Locale.ROOT);
        }
        return reference("azure-container-registry", "Azure Container Registry", name + ".azurecr.io", "azure",
                "azureContainerRegistry");
    }

    /**
     * Chainguard's registry, {@code cgr.dev}. Default prefix {@code chainguard}.
     *
     * @param credential a secret named {@code ecr-pullthroughcache/...} holding {@code username} and
     *                   {@code accessToken} (a Chainguard pull token's identity and secret)
     * @return the registry
     */
    public static UpstreamRegistry chainguard(ISecret credential) {
        return withCredential(chainguard(), credential);
    }

    /**
     * Chainguard's registry named without its credential: the upstream of a rule that lives elsewhere.
     *
     * @return the registry, as a reference
     */
    public static UpstreamRegistry chainguard() {
        return reference("chainguard", "Chainguard", "cgr.dev", "chainguard", "chainguard");
    }

    /**
     * Another Amazon ECR private registry (ECR to ECR), in another account or region. Default prefix {@code ecr}.
     *
     * <p>A rule for it gets a custom role that ECR assumes to pull from that registry; the upstream
     * registry's owner must also allow this account in its registry or repository policies.
     *
     * @param account the upstream registry's 12-digit account ID
     * @param region the upstream registry's region, such as {@code us-east-1}
     * @return the registry
     */
    public static UpstreamRegistry ecrPrivate(String account, String region) {
        if (account == null || (!Tokens.isUnresolved(account) && !ACCOUNT.matcher(account).matches())) {
            throw new IllegalArgumentException("UpstreamRegistry.ecrPrivate: account '" + account
                    + "' is invalid: expected a 12-digit AWS account ID");
        }
        if (region == null || (!Tokens.isUnresolved(region) && !REGION.matcher(region).matches())) {
            throw new IllegalArgumentException("UpstreamRegistry.ecrPrivate: region '" + region
                    + "' is invalid: expected a region name such as 'us-east-1'");
        }
        if (!Tokens.isUnresolved(region)) {
            SupportedRegions.check("UpstreamRegistry.ecrPrivate: region", region);
        }
        return new UpstreamRegistry("ecr", "Amazon ECR", account + ".dkr.ecr." + region + ".amazonaws.com", "ecr",
                null, account, region);
    }

    /**
     * A registry that ECR's pull through cache cannot serve, such as {@code mcr.microsoft.com}, {@code gcr.io},
     * {@code nvcr.io}, {@code docker.elastic.co}, {@code registry.redhat.io} or a self-hosted one, read without a
     * credential. Given to {@code PullThroughCacheProps.upstreams}, its images are copied into the registry under its
     * prefix (repositories a {@code CREATE_ON_PUSH} creation template makes, with the cache's settings) and routed
     * like cached ones; no pull through cache rule is made. Default prefix: the host's first label, such as
     * {@code mcr} for {@code mcr.microsoft.com}, {@code gcr} for {@code gcr.io}, {@code nvcr} for {@code nvcr.io}.
     *
     * @param registryHost the host as image references name it, such as {@code mcr.microsoft.com}, with its port if
     *     it has one; a literal, not a token
     * @return the registry
     * @throws IllegalArgumentException when the host is malformed, a token, or one the pull through cache serves
     */
    public static UpstreamRegistry copied(String registryHost) {
        String host = copiedHost(registryHost);
        String prefix = host.substring(0, host.indexOf('.'));
        return new UpstreamRegistry(COPIED, host, host, prefix.length() < 2 ? prefix + "-copied" : prefix, null, null,
                null);
    }

    /**
     * {@link #copied(String)} for a registry that needs a credential: the copier reads it from the secret and
     * answers the registry's challenge with it, Basic or the Bearer token exchange, whichever the registry asks for.
     *
     * @param registryHost the host as image references name it, such as {@code nvcr.io}
     * @param credential a secret holding the JSON keys {@code username} and {@code accessToken}, named
     *     {@code ecr-pullthroughcache/...} as every upstream credential of the cache (see
     *     {@link UpstreamCredentialSecret}); only the copier's function may read it
     * @return the registry
     * @throws IllegalArgumentException as {@link #copied(String)} does, or when the secret's name says another use
     */
    public static UpstreamRegistry copied(String registryHost, ISecret credential) {
        UpstreamRegistry registry = copied(registryHost);
        if (credential == null) {
            throw new IllegalArgumentException("UpstreamRegistry.copied: credential is null for " + registry.url
                    + ": give a Secrets Manager secret named '" + SECRET_NAME_PREFIX + "<name>' holding the JSON keys "
                    + "'username' and 'accessToken', or use UpstreamRegistry.copied(String) for a registry read "
                    + "without one");
        }
        checkSecretName("UpstreamRegistry.copied", credential, registry.defaultRepositoryPrefix,
                "as every upstream credential of the cache: the name says what the secret is for");
        return new UpstreamRegistry(COPIED, registry.displayName, registry.url, registry.defaultRepositoryPrefix,
                credential, null, null);
    }

    private static String copiedHost(String registryHost) {
        if (registryHost == null || registryHost.isBlank()) {
            throw new IllegalArgumentException("UpstreamRegistry.copied: registryHost is empty: give the registry's "
                    + "host as image references name it, such as 'mcr.microsoft.com'");
        }
        if (Tokens.isUnresolved(registryHost)) {
            throw new IllegalArgumentException("UpstreamRegistry.copied: registryHost is a token: give the host as a "
                    + "literal, such as 'mcr.microsoft.com', since images are routed to it by name at synth");
        }
        String host = registryHost.trim();
        if (!COPIED_HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("UpstreamRegistry.copied: registryHost '" + registryHost + "' is "
                    + "invalid: expected a lowercase host name with at least one dot and an optional port, with no "
                    + "scheme or path, such as 'mcr.microsoft.com', 'nvcr.io' or 'harbor.example.com:8443'");
        }
        String ruleFactory = pullThroughCacheFactory(host);
        if (ruleFactory != null) {
            throw new IllegalArgumentException("UpstreamRegistry.copied: '" + host + "' is served by ECR's pull "
                    + "through cache itself: use its rule, " + ruleFactory + ", rather than a copy");
        }
        return host;
    }

    /** The factory of the upstream that serves a host through a pull through cache rule, or {@code null}. */
    private static String pullThroughCacheFactory(String host) {
        String name = host.replaceFirst(":[0-9]+$", "");
        if (name.equals(ECR_PUBLIC.url)) {
            return "UpstreamRegistry.ECR_PUBLIC";
        } else if (name.equals(QUAY.url)) {
            return "UpstreamRegistry.QUAY";
        } else if (name.equals(KUBERNETES.url)) {
            return "UpstreamRegistry.KUBERNETES";
        } else if (Set.of("docker.io", "index.docker.io", "registry-1.docker.io").contains(name)) {
            return dockerHub().getCredentialFactory();
        } else if (name.equals(githubContainerRegistry().url)) {
            return githubContainerRegistry().getCredentialFactory();
        } else if (name.equals(gitlabContainerRegistry().url)) {
            return gitlabContainerRegistry().getCredentialFactory();
        } else if (name.endsWith(".azurecr.io")) {
            return "UpstreamRegistry.azureContainerRegistry(String, ISecret)";
        } else if (name.equals(chainguard().url)) {
            return chainguard().getCredentialFactory();
        } else if (name.matches("^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$")) {
            return "UpstreamRegistry.ecrPrivate(String, String)";
        }
        return null;
    }

    private static UpstreamRegistry reference(String type, String displayName, String url, String prefix,
                                              String factory) {
        return new UpstreamRegistry(type, displayName, url, prefix, null, null, null, factory);
    }

    private static UpstreamRegistry withCredential(UpstreamRegistry registry, ISecret credential) {
        String factory = registry.credentialFactory;
        if (credential == null) {
            throw new IllegalArgumentException("UpstreamRegistry." + factory + ": credential is required: "
                    + registry.displayName + " needs a Secrets Manager secret named '" + SECRET_NAME_PREFIX
                    + "<name>' holding the JSON keys 'username' and 'accessToken' (see UpstreamCredentialSecret); "
                    + "UpstreamRegistry." + factory + "() without arguments names a rule's upstream that lives elsewhere");
        }
        checkSecretName("UpstreamRegistry." + factory, credential, registry.defaultRepositoryPrefix,
                "ECR's service-linked role reads only those secrets");
        return new UpstreamRegistry(registry.type, registry.displayName, registry.url, registry.defaultRepositoryPrefix,
                credential, null, null, factory);
    }

    /** A credential's name says what it is for: it starts with {@link #SECRET_NAME_PREFIX}, when known at synth. */
    private static void checkSecretName(String factory, ISecret credential, String example, String why) {
        String name = literalSecretName(credential);
        if (name != null && !name.startsWith(SECRET_NAME_PREFIX)) {
            throw new IllegalArgumentException(factory + ": credential secret name '" + name + "' must start with '"
                    + SECRET_NAME_PREFIX + "' (" + why + "), such as '" + SECRET_NAME_PREFIX + example + "'");
        }
    }

    /** The secret's name when it is known at synth: a Secret of this app carries it on its L1. */
    private static String literalSecretName(ISecret secret) {
        String name;
        if (secret instanceof Secret owned && owned.getNode().getDefaultChild() instanceof CfnSecret cfn) {
            name = cfn.getName();
        } else {
            name = secret.getSecretName();
        }
        return name == null || Tokens.isUnresolved(name) ? null : name;
    }

    /** @return ECR's name for the registry kind, the rule's {@code UpstreamRegistry} such as {@code docker-hub} */
    public String getType() {
        return type;
    }

    /** @return a name for people, such as {@code Docker Hub} */
    public String getDisplayName() {
        return displayName;
    }

    /** @return the registry URL ECR pulls from, such as {@code registry-1.docker.io} */
    public String getUrl() {
        return url;
    }

    /** @return the repository prefix a rule uses for this registry unless told otherwise */
    public String getDefaultRepositoryPrefix() {
        return defaultRepositoryPrefix;
    }

    /** @return the credential secret, or {@code null} for a registry that needs none */
    public ISecret getCredential() {
        return credential;
    }

    /** @return whether the registry needs a credential (Docker Hub, GitHub, GitLab, Azure, Chainguard) */
    public boolean needsCredential() {
        return credentialFactory != null;
    }

    /**
     * @return whether this names a registry that needs a credential without it ({@link #dockerHub()} and the
     *     like): it serves imports of rules that live elsewhere, and no rule can be made from it
     */
    public boolean isReference() {
        return credentialFactory != null && credential == null;
    }

    /**
     * @return the factory that takes the registry's credential, such as {@code UpstreamRegistry.dockerHub(ISecret)},
     *     for messages; {@code null} for a registry that needs none
     */
    public String getCredentialFactory() {
        return credentialFactory == null ? null
                : "UpstreamRegistry." + credentialFactory + ("azureContainerRegistry".equals(credentialFactory)
                        ? "(String, ISecret)" : "(ISecret)");
    }

    /**
     * @return whether this is a registry whose images are copied into the registry ({@link #copied(String)}) rather
     *     than pulled through a rule
     */
    public boolean isCopied() {
        return COPIED.equals(type);
    }

    /** @return whether this is another ECR private registry (ECR to ECR), which takes a custom role */
    public boolean isEcrPrivate() {
        return ecrAccount != null;
    }

    /** @return the upstream account for ECR to ECR, else {@code null} */
    public String getEcrAccount() {
        return ecrAccount;
    }

    /** @return the upstream region for ECR to ECR, else {@code null} */
    public String getEcrRegion() {
        return ecrRegion;
    }

    /**
     * Whether an image reference's registry host is this registry.
     *
     * @param host a host as {@link ImageReference#getRegistry()} returns it
     * @return true when images of that host are pulled through this registry's rule
     */
    public boolean serves(String host) {
        if ("docker-hub".equals(type)) {
            return ImageReference.DOCKER_HUB.equals(host);
        }
        if (isEcrPrivate() && Tokens.isUnresolved(url)) {
            // the account or region is a token: any private ECR host may be it
            return host.matches("^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com$");
        }
        return url.equals(host);
    }

    /** @return the host people write in image references, such as {@code docker.io} for Docker Hub */
    public String getImageHost() {
        return "docker-hub".equals(type) ? ImageReference.DOCKER_HUB : url;
    }

    @Override
    public String toString() {
        return isCopied() ? url + " (copied)" : displayName + " (" + url + ")";
    }
}
