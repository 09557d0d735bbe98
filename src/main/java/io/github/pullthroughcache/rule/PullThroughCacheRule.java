package io.github.pullthroughcache.rule;

import io.github.pullthroughcache.internal.AccountIds;
import io.github.pullthroughcache.internal.RegistryIndex;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.ServiceRole;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.SupportedRegions;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.registry.AppliedFor;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicy;
import io.github.pullthroughcache.registry.RepositoryCreationTemplate;
import io.github.pullthroughcache.registry.RepositoryCreationTemplateProps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.ResourceProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.CfnPullThroughCacheRule;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.constructs.Construct;

/**
 * An Amazon ECR pull through cache rule: images of an upstream registry, pulled through this account's
 * private registry under a repository prefix.
 *
 * <pre>
 * PullThroughCacheRule quay = new PullThroughCacheRule(this, "Quay", PullThroughCacheRuleProps.builder()
 *     .upstream(UpstreamRegistry.QUAY)
 *     .build());
 * String uri = quay.imageUri("quay.io/prometheus/prometheus:v3.0.0");
 * // ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/quay/prometheus/prometheus:v3.0.0
 * quay.grantPull(taskExecutionRole);
 * </pre>
 *
 * <p>The synthesized {@code AWS::ECR::PullThroughCacheRule} always names its upstream registry, so that
 * ECR checks the URL against it. For ECR to ECR the rule gets a custom role (child {@code CustomRole})
 * that ECR assumes to pull from the other registry.
 */
public class PullThroughCacheRule extends PullThroughCacheRuleBase {

    /** What pulling an image through the cache needs on the cached repositories. */
    public static final List<String> PULL_ACTIONS = List.of(
            "ecr:BatchImportUpstreamImage",
            "ecr:CreateRepository",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability");

    /** ECR's quota of pull through cache rules per registry. */
    public static final int MAX_RULES_PER_REGISTRY = 50;

    private static final String PULL_THROUGH_CACHE_PRINCIPAL = "pullthroughcache.ecr.amazonaws.com";

    private final StackFacts stack;
    private final UpstreamRegistry upstream;
    private final String repositoryPrefix;
    private final String upstreamRepositoryPrefix;
    private final IRole customRole;
    private ManagedPolicy customRolePolicy;
    private final CfnPullThroughCacheRule resource;
    private RepositoryCreationTemplate creationTemplate;
    private final String registryHost;
    private final String repositoryArnPattern;
    /** Who was granted pulls, so that a tagged template added later gets them its ecr:TagResource too. */
    private final List<IGrantable> grantees = new ArrayList<>();

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the upstream registry and the prefix
     */
    public PullThroughCacheRule(Construct scope, String id, PullThroughCacheRuleProps props) {
        super(scope, id, ResourceProps.builder().build());
        this.stack = StackFacts.of(scope);
        String account = stack.account();
        String region = stack.region();
        this.upstream = props.getUpstream();
        this.repositoryPrefix = props.getRepositoryPrefix() != null
                ? props.getRepositoryPrefix() : upstream.getDefaultRepositoryPrefix();
        this.upstreamRepositoryPrefix = props.getUpstreamRepositoryPrefix();
        validate(props, region);
        register();

        this.registryHost = stack.registryHost();
        this.repositoryArnPattern = RepositoryPrefix.repositoryArn(stack, account, region, repositoryPrefix);

        this.customRole = !upstream.isEcrPrivate() ? null
                : props.getCustomRole() != null ? props.getCustomRole() : createCustomRole();

        ISecret credential = upstream.getCredential();
        this.resource = CfnPullThroughCacheRule.Builder.create(this, "Resource")
                .ecrRepositoryPrefix(repositoryPrefix)
                .upstreamRegistry(upstream.getType())
                .upstreamRegistryUrl(upstream.getUrl())
                .credentialArn(credential == null ? null : credentialArn(stack.stack(), credential))
                .customRoleArn(customRole == null ? null : customRole.getRoleArn())
                .upstreamRepositoryPrefix(upstreamRepositoryPrefix)
                .build();
        if (customRole != null) {
            // ECR may use the role as soon as the rule exists: its policy must be there first
            resource.getNode().addDependency(customRole);
            if (customRolePolicy != null) {
                resource.getNode().addDependency(customRolePolicy);
            }
        }
        if (!props.getPullers().isEmpty()) {
            addPullers(props.getPullers().toArray(IGrantable[]::new));
        }
    }

    /**
     * Lets principals fill the cache under this rule's prefix through the stack's registry policy
     * ({@link RegistryPolicy#of}): {@code ecr:CreateRepository} and {@code ecr:BatchImportUpstreamImage} on
     * {@code repository/<prefix>/*} only. Pair it with {@link #grantPull} for the identity side.
     *
     * @param pullers roles, users or accounts
     * @return the registry policy statement, shared by every puller of this rule
     */
    public PolicyStatement addPullers(IGrantable... pullers) {
        return RegistryPolicy.of(this).allowPullThroughCache(repositoryPrefix, List.of(pullers));
    }

    /**
     * Gives the repositories this rule creates their settings (child {@code CreationTemplate}): a
     * {@link RepositoryCreationTemplate} for this rule's prefix, applied for pull through cache. The rule waits
     * for the template, so that no repository is cached before its settings exist.
     *
     * @param options the settings
     * @return the template
     * @throws IllegalStateException when the rule has a template already
     */
    public RepositoryCreationTemplate addCreationTemplate(CreationTemplateOptions options) {
        if (creationTemplate != null) {
            throw new IllegalStateException("Rule " + getNode().getPath() + " already has its creation template "
                    + creationTemplate.getNode().getPath() + ": a prefix takes one template");
        }
        this.creationTemplate = new RepositoryCreationTemplate(this, "CreationTemplate",
                RepositoryCreationTemplateProps.builder()
                        .options(options)
                        .prefix(repositoryPrefix)
                        .appliedFor(List.of(AppliedFor.PULL_THROUGH_CACHE))
                        .description(options.getDescription() != null ? options.getDescription()
                                : "Repositories cached from " + upstream.getUrl() + " by rule " + repositoryPrefix)
                        .build());
        // the template's own resource waits for its role and key: a DependsOn on it is enough
        resource.addResourceDependency(creationTemplate.getResource());
        grantees.forEach(this::grantTagging);
        return creationTemplate;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the rule's creation template tags the repositories it creates (now, or once added), the grantee also
     * gets {@code ecr:TagResource} on {@code repository/<prefix>/*}, for those tag keys only: ECR creates the
     * repository of a first pull as the puller, and tags it as the puller too (the pull through cache user guide,
     * "IAM permissions required to sync an upstream registry with an Amazon ECR private registry").
     */
    @Override
    public Grant grantPull(IGrantable grantee) {
        Grant grant = super.grantPull(grantee);
        grantees.add(grantee);
        Grant tagging = grantTagging(grantee);
        return tagging == null ? grant : grant.combine(tagging);
    }

    private Grant grantTagging(IGrantable grantee) {
        if (creationTemplate == null || creationTemplate.getResourceTags().isEmpty()) {
            return null;
        }
        return Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("ecr:TagResource"))
                .resourceArns(List.of(repositoryArnPattern))
                .conditions(Map.of("ForAllValues:StringEquals",
                        Map.of("aws:TagKeys", List.copyOf(new java.util.TreeSet<>(creationTemplate.getResourceTags().keySet())))))
                .build());
    }

    /** Counts the rule in its registry, across every stack of the app: one rule per prefix, and ECR's quota. */
    private void register() {
        RegistryIndex index = stack.registryIndex();
        List<RegistryIndex.CacheRule> before = index.of(RegistryIndex.RULES, stack);
        RepositoryPrefix.checkUnused("PullThroughCacheRuleProps.repositoryPrefix", this, repositoryPrefix, stack, before,
                RegistryIndex.CacheRule::prefix, RegistryIndex.CacheRule::construct, "rule");
        if (before.size() >= MAX_RULES_PER_REGISTRY) {
            throw new IllegalArgumentException("Too many pull through cache rules for registry "
                    + stack.registryKey() + ": " + getNode().getPath() + " would be rule " + (before.size() + 1)
                    + ", and ECR allows " + MAX_RULES_PER_REGISTRY + " per account and region");
        }
        index.add(RegistryIndex.RULES, stack, new RegistryIndex.CacheRule(repositoryPrefix, upstream.getDisplayName(), this));
    }

    private void validate(PullThroughCacheRuleProps props, String region) {
        if (upstream.isCopied()) {
            throw new IllegalArgumentException("PullThroughCacheRuleProps.upstream is " + upstream + ", which ECR's pull "
                    + "through cache cannot serve: give it to PullThroughCacheProps.upstreams (or "
                    + "PullThroughCache.addCopiedRegistry), whose copier copies its images into the registry");
        }
        if (upstream.isReference()) {
            throw new IllegalArgumentException("PullThroughCacheRuleProps.upstream is " + upstream.getDisplayName()
                    + " named without its credential, which only names the upstream of a rule that lives elsewhere "
                    + "(PullThroughCacheRule.fromRuleAttributes): a rule takes " + upstream.getCredentialFactory()
                    + " with the secret ECR reads the credential from");
        }
        RepositoryPrefix.validate("PullThroughCacheRuleProps.repositoryPrefix", repositoryPrefix,
                upstream.isEcrPrivate() ? null : "ROOT is only for an ECR to ECR rule (UpstreamRegistry.ecrPrivate); "
                        + upstream.getDisplayName() + " needs a prefix such as '"
                        + upstream.getDefaultRepositoryPrefix() + "'");
        if (upstreamRepositoryPrefix != null) {
            if (!upstream.isEcrPrivate()) {
                throw new IllegalArgumentException("PullThroughCacheRuleProps.upstreamRepositoryPrefix '"
                        + upstreamRepositoryPrefix + "' is not allowed for " + upstream + ": ECR accepts an upstream "
                        + "repository prefix only for an ECR to ECR rule (UpstreamRegistry.ecrPrivate)");
            }
            if (RepositoryPrefix.ROOT.equals(repositoryPrefix)) {
                throw new IllegalArgumentException("PullThroughCacheRuleProps.upstreamRepositoryPrefix '"
                        + upstreamRepositoryPrefix + "' is not allowed with repositoryPrefix 'ROOT': ECR maps a ROOT "
                        + "rule to upstream repositories of the same name; set a repositoryPrefix such as 'ecr'");
            }
            RepositoryPrefix.validate("PullThroughCacheRuleProps.upstreamRepositoryPrefix", upstreamRepositoryPrefix,
                    null);
        }
        if (props.getCustomRole() != null && !upstream.isEcrPrivate()) {
            throw new IllegalArgumentException("PullThroughCacheRuleProps.customRole is not allowed for " + upstream
                    + ": ECR assumes a custom role only for an ECR to ECR rule; " + upstream.getDisplayName()
                    + (upstream.getCredential() != null ? " is reached with the credential secret" : " needs none"));
        }
        if (!Tokens.isUnresolved(region)) {
            SupportedRegions.check("The region of stack " + stack.stack().getNode().getPath(), region);
        }
    }

    private IRole createCustomRole() {
        String upstreamRepositories = RepositoryPrefix.repositoryArn(stack, upstream.getEcrAccount(), upstream.getEcrRegion(),
                upstreamRepositoryPrefix == null ? RepositoryPrefix.ROOT : upstreamRepositoryPrefix);
        ServiceRole created = ServiceRole.builder(this, PULL_THROUGH_CACHE_PRINCIPAL)
                .descriptions("Assumed by Amazon ECR pull through cache to pull from " + upstream.getUrl(),
                        "What ECR pull through cache needs to copy images from " + upstream.getUrl())
                .statements(List.of(
                        PolicyStatement.Builder.create()
                                .sid("ReadUpstreamRepositories")
                                .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"))
                                .resources(List.of(upstreamRepositories))
                                .build(),
                        PolicyStatement.Builder.create()
                                .sid("WriteCachedRepositories")
                                .actions(List.of("ecr:BatchImportUpstreamImage", "ecr:GetImageCopyStatus",
                                        "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                                        "ecr:PutImage"))
                                .resources(List.of(repositoryArnPattern))
                                .build(),
                        PolicyStatement.Builder.create()
                                .sid("Authenticate")
                                .actions(List.of("ecr:GetAuthorizationToken"))
                                .resources(List.of("*"))
                                .build()))
                .wildcards("ECR pull through cache reads any upstream repository under the upstream prefix and "
                        + "writes any cached repository under this rule's prefix, named by the image pulled; "
                        + "ecr:GetAuthorizationToken has no resource scope.",
                        List.of("*", upstreamRepositories, repositoryArnPattern))
                .create();
        this.customRolePolicy = created.policy();
        return created.role();
    }

    /**
     * The ARN ECR accepts for a credential. A secret imported by name has no full ARN, and CDK's partial one
     * ends in {@code -??????}, which ECR refuses: the ARN without the suffix is what both ECR and Secrets
     * Manager accept.
     */
    static String credentialArn(Stack stack, ISecret secret) {
        String full = secret.getSecretFullArn();
        if (full != null) {
            return full;
        }
        return stack.formatArn(ArnComponents.builder()
                .service("secretsmanager")
                .resource("secret")
                .resourceName(secret.getSecretName())
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /**
     * Refuses a token: its registry, and so its rule, is known only at deploy. The repository as a literal with the
     * token after it is routed like any other reference; the warmer then knows the repository but not the tag.
     */
    static void requireLiteral(String imageReference, String owner) {
        if (imageReference != null && Tokens.isUnresolved(imageReference)) {
            throw new IllegalArgumentException(owner + " needs a literal image reference such as 'nginx:1.27', not '"
                    + imageReference + "': a token cannot be routed to its registry at synth. Give the repository as "
                    + "a literal and append what is known only at deploy, such as a tag from a parameter: "
                    + "imageUri(\"quay.io/prometheus/prometheus\") + \":\" + tag, with ContainerImage.fromRegistry "
                    + "of that and grantPull for the task's execution role. The warmer then pulls the repository's "
                    + "'latest', not your tag: for a first pull of it, warm(...) it as a literal, or keep a temporary "
                    + "NAT gateway");
        }
    }

    /**
     * The rule that serves an image's registry: the first of the rules that does.
     *
     * @param rules the rules to choose from
     * @param imageReference what you would pass to {@code docker pull}
     * @param owner who holds the rules, for the error, such as {@code PullThroughCache Stack/Cache}
     * @param remedy what to do when none serves it, for the error
     * @return the rule
     * @throws IllegalArgumentException when the reference is a token or invalid, or no rule serves its registry
     */
    public static <T extends IPullThroughCacheRule> T serving(Collection<T> rules, String imageReference, String owner,
            String remedy) {
        requireLiteral(imageReference, owner);
        String registry = ImageReference.parse(imageReference).getRegistry();
        for (T rule : rules) {
            if (rule.getUpstream().serves(registry)) {
                return rule;
            }
        }
        throw new IllegalArgumentException("Image reference '" + imageReference + "' is from registry '" + registry
                + "', which no rule of " + owner + " serves. Its rules: "
                + (rules.isEmpty() ? "none" : rules.stream()
                        .map(rule -> rule.getRepositoryPrefix() + " (" + rule.getUpstream().getImageHost() + ")")
                        .toList())
                + ". " + remedy);
    }

    /**
     * A rule that lives in another stack, account or region, to route images through and grant pulls on. Nothing is
     * created: the rule's own stack holds it and its credential.
     *
     * <p>In another account, {@code grantPull} gives the identity side only. The rule's registry must also allow the
     * grantee: {@code ecr:CreateRepository} and {@code ecr:BatchImportUpstreamImage} on
     * {@code repository/<prefix>/*} in its registry policy, and a repository policy on the cached repositories
     * (through the rule's creation template) that lets it pull.
     *
     * @param scope the parent
     * @param id the construct id
     * @param attributes the rule's prefix and upstream, and its registry's account and region
     * @return the rule
     */
    public static IPullThroughCacheRule fromRuleAttributes(Construct scope, String id,
            PullThroughCacheRuleAttributes attributes) {
        return new Imported(scope, id, attributes);
    }

    /** A rule of another stack, account or region. */
    private static final class Imported extends PullThroughCacheRuleBase {
        private final UpstreamRegistry upstream;
        private final String repositoryPrefix;
        private final String upstreamRepositoryPrefix;
        private final String registryHost;
        private final String repositoryArnPattern;

        Imported(Construct scope, String id, PullThroughCacheRuleAttributes attributes) {
            super(scope, id, ResourceProps.builder().account(attributes.getAccount()).region(attributes.getRegion())
                    .build());
            StackFacts stack = StackFacts.of(scope);
            String account = attributes.getAccount() != null ? attributes.getAccount() : stack.account();
            String region = attributes.getRegion() != null ? attributes.getRegion() : stack.region();
            AccountIds.check("PullThroughCacheRuleAttributes.account", account);
            if (!Tokens.isUnresolved(region)) {
                SupportedRegions.check("PullThroughCacheRuleAttributes.region", region);
            }
            this.upstream = attributes.getUpstream();
            this.repositoryPrefix = attributes.getRepositoryPrefix() != null
                    ? attributes.getRepositoryPrefix() : upstream.getDefaultRepositoryPrefix();
            RepositoryPrefix.validate("PullThroughCacheRuleAttributes.repositoryPrefix", repositoryPrefix,
                    upstream.isEcrPrivate() ? null : "ROOT is only for an ECR to ECR rule");
            this.upstreamRepositoryPrefix = attributes.getUpstreamRepositoryPrefix();
            this.registryHost = account + ".dkr.ecr." + region + "." + stack.stack().getUrlSuffix();
            this.repositoryArnPattern = RepositoryPrefix.repositoryArn(stack, account, region, repositoryPrefix);
        }

        @Override
        public String getRepositoryPrefix() {
            return repositoryPrefix;
        }

        @Override
        public UpstreamRegistry getUpstream() {
            return upstream;
        }

        @Override
        public String getUpstreamRepositoryPrefix() {
            return upstreamRepositoryPrefix;
        }

        @Override
    public String getRegistryHost() {
            return registryHost;
        }

        @Override
    public String getRepositoryArnPattern() {
            return repositoryArnPattern;
        }
    }

    /** @return the prefix of the cached repositories, as given to ECR */
    @Override
    public String getRepositoryPrefix() {
        return repositoryPrefix;
    }

    /** @return the upstream repository prefix (ECR to ECR), or {@code null} */
    @Override
    public String getUpstreamRepositoryPrefix() {
        return upstreamRepositoryPrefix;
    }

    /** @return the upstream registry */
    @Override
    public UpstreamRegistry getUpstream() {
        return upstream;
    }

    /** @return the role ECR assumes for an ECR to ECR rule, else {@code null} */
    public IRole getCustomRole() {
        return customRole;
    }

    /** @return {@code arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*}: the cached repositories */
    public String getRepositoryArnPattern() {
        return repositoryArnPattern;
    }

    /** @return the private registry host, {@code <account>.dkr.ecr.<region>.<suffix>} */
    public String getRegistryHost() {
        return registryHost;
    }

    /** @return the template added with {@link #addCreationTemplate}, or {@code null} */
    public RepositoryCreationTemplate getCreationTemplate() {
        return creationTemplate;
    }

    /** @return the L1 resource */
    public CfnPullThroughCacheRule getResource() {
        return resource;
    }
}
