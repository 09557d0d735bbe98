package io.github.pullthroughcache.rule;

import io.github.pullthroughcache.internal.RegistryIndex;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.registry.AppliedFor;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RepositoryCreationTemplate;
import io.github.pullthroughcache.registry.RepositoryCreationTemplateProps;
import java.util.List;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ResourceProps;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;

/**
 * The repositories under a prefix that a copier fills with the images of a registry ECR's pull through cache cannot
 * serve ({@link UpstreamRegistry#copied(String)}): routed as a rule's are ({@link #imageUri},
 * {@link #cachedReference}), and made by ECR at the copier's first push with the settings of a creation template
 * applied for {@code CREATE_ON_PUSH} (child {@code CreationTemplate}). No {@code AWS::ECR::PullThroughCacheRule}
 * exists for it: a pull of an image that was not copied finds nothing.
 *
 * <p>It offers what a rule offers ({@link IPullThroughCacheRule}: prefix, upstream host, registry host), so that
 * whatever lists the upstreams of a cache, such as the Kubernetes registry mirrors, covers it too.
 * {@code PullThroughCache} makes one for each copied upstream; the copying is its {@code ImageCopier}'s.
 */
public class CopiedRegistry extends PullThroughCacheRuleBase {

    /** What pulling a copied image needs on its repositories: no import from an upstream, no repository creation. */
    public static final List<String> PULL_ACTIONS = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability");

    /**
     * What copying an image in needs on its repositories, with ECR's layer upload API; {@code ecr:CreateRepository}
     * lets the first push create the repository through the creation template.
     */
    public static final List<String> PUSH_ACTIONS = List.of("ecr:BatchCheckLayerAvailability",
            "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
            "ecr:CreateRepository");

    /** The copied registries of the app, per registry: one prefix each, distinct from the rules'. */
    static final RegistryIndex.Kind<RegistryIndex.CacheRule> COPIED = new RegistryIndex.Kind<>("copied registry");

    private final UpstreamRegistry upstream;
    private final String repositoryPrefix;
    private final String registryHost;
    private final String repositoryArnPattern;
    private final RepositoryCreationTemplate creationTemplate;

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the copied upstream, the prefix and the settings of its repositories
     * @throws IllegalArgumentException when the upstream is not a copied one, or the prefix is invalid or taken
     */
    public CopiedRegistry(Construct scope, String id, CopiedRegistryProps props) {
        super(scope, id, ResourceProps.builder().build());
        StackFacts stack = StackFacts.of(scope);
        this.upstream = props.getUpstream();
        if (upstream == null || !upstream.isCopied()) {
            throw new IllegalArgumentException("CopiedRegistryProps.upstream is " + (upstream == null ? "missing"
                    : upstream + ", which ECR's pull through cache serves: use a PullThroughCacheRule")
                    + "; give UpstreamRegistry.copied(\"<host>\"), such as UpstreamRegistry.copied(\"mcr.microsoft.com\")");
        }
        this.repositoryPrefix = props.getRepositoryPrefix() != null
                ? props.getRepositoryPrefix() : upstream.getDefaultRepositoryPrefix();
        RepositoryPrefix.validate("CopiedRegistryProps.repositoryPrefix", repositoryPrefix, "the copies of "
                + upstream.getUrl() + " need a prefix of their own, such as '" + upstream.getDefaultRepositoryPrefix()
                + "'");
        register(stack);
        this.registryHost = stack.registryHost();
        this.repositoryArnPattern = RepositoryPrefix.repositoryArn(stack, null, null, repositoryPrefix);
        CreationTemplateOptions options = props.getCreationTemplate() != null
                ? props.getCreationTemplate() : CreationTemplateOptions.builder().build();
        this.creationTemplate = new RepositoryCreationTemplate(this, "CreationTemplate",
                RepositoryCreationTemplateProps.builder()
                        .options(options)
                        .prefix(repositoryPrefix)
                        .appliedFor(List.of(AppliedFor.CREATE_ON_PUSH))
                        .description(options.getDescription() != null ? options.getDescription()
                                : "Repositories copied from " + upstream.getUrl() + " under " + repositoryPrefix)
                        .build());
        TagMutability mutability = options.getImageTagMutability();
        if (mutability == TagMutability.IMMUTABLE || mutability == TagMutability.IMMUTABLE_WITH_EXCLUSION) {
            Annotations.of(this).addWarningV2("@pullthroughcache/copied:immutable-tags", "Copied registry "
                    + getNode().getPath() + " creates repositories of " + mutability + " tags: a tag that moves "
                    + "upstream (such as 'latest') then cannot be copied again. Use MUTABLE, or MUTABLE_WITH_EXCLUSION "
                    + "for tags that must never move");
        }
    }

    /** One prefix per copied registry and rule of a registry, across every stack of the app. */
    private void register(StackFacts stack) {
        RegistryIndex index = stack.registryIndex();
        RepositoryPrefix.checkUnused("CopiedRegistryProps.repositoryPrefix", this, repositoryPrefix, stack,
                index.of(RegistryIndex.RULES, stack), RegistryIndex.CacheRule::prefix, RegistryIndex.CacheRule::construct,
                "rule and copied registry");
        RepositoryPrefix.checkUnused("CopiedRegistryProps.repositoryPrefix", this, repositoryPrefix, stack,
                index.of(COPIED, stack), RegistryIndex.CacheRule::prefix, RegistryIndex.CacheRule::construct,
                "rule and copied registry");
        index.add(COPIED, stack, new RegistryIndex.CacheRule(repositoryPrefix, upstream.getUrl(), this));
    }

    /**
     * {@inheritDoc}
     *
     * <p>For copied images: {@link #PULL_ACTIONS} on {@code repository/<prefix>/*} and {@code ecr:GetAuthorizationToken}.
     * No registry policy statement is needed: the repositories exist once copied.
     */
    @Override
    public Grant grantPull(IGrantable grantee) {
        return grantOnPrefix(grantee, PULL_ACTIONS, "Pulling copied images reads repositories under the copied "
                + "registry's prefix, named by the image.");
    }

    @Override
    public String getRepositoryPrefix() {
        return repositoryPrefix;
    }

    @Override
    public UpstreamRegistry getUpstream() {
        return upstream;
    }

    /** @return {@code null}: a copy keeps the upstream's repository path under the prefix */
    @Override
    public String getUpstreamRepositoryPrefix() {
        return null;
    }

    @Override
    public String getRegistryHost() {
        return registryHost;
    }

    @Override
    public String getRepositoryArnPattern() {
        return repositoryArnPattern;
    }

    /** @return the creation template applied for {@code CREATE_ON_PUSH} under the prefix */
    public RepositoryCreationTemplate getCreationTemplate() {
        return creationTemplate;
    }
}
