package io.github.pullthroughcache.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyDocument;

/**
 * The settings ECR gives a repository it creates by itself: everything of a {@link RepositoryCreationTemplate}
 * but its prefix and when it applies. A pull through cache rule takes them for the template of its prefix
 * ({@code PullThroughCacheRule.addCreationTemplate}); {@link RepositoryCreationTemplateProps} adds the prefix and
 * when it applies.
 */
public class CreationTemplateOptions {

    /** The age, in days, at which {@link #EXPIRE_UNTAGGED_AFTER_14_DAYS} expires an untagged image. */
    static final int DEFAULT_EXPIRY_DAYS = 14;

    /**
     * The lifecycle rule the templates of a pull through cache get by default: untagged images expire 14 days
     * after they were cached. A cached image whose tag moved upstream becomes untagged here; pulled again, it
     * comes back from the upstream.
     */
    public static final LifecycleRule EXPIRE_UNTAGGED_AFTER_14_DAYS = LifecycleRule.builder()
            .description("Expire untagged images 14 days after they were cached")
            .tagStatus(TagStatus.UNTAGGED)
            .maxImageAge(Duration.days(DEFAULT_EXPIRY_DAYS))
            .build();

    private final String description;
    private final TemplateEncryption encryption;
    private final TagMutability imageTagMutability;
    private final List<String> imageTagMutabilityExclusionFilters;
    private final List<LifecycleRule> lifecycleRules;
    private final PolicyDocument repositoryPolicy;
    private final Map<String, String> resourceTags;
    private final IRole customRole;

    CreationTemplateOptions(Builder<?> builder) {
        this(builder, null);
    }

    private CreationTemplateOptions(Builder<?> builder, List<LifecycleRule> defaultLifecycleRules) {
        this.description = builder.description;
        this.encryption = builder.encryption;
        this.imageTagMutability = builder.imageTagMutability;
        this.imageTagMutabilityExclusionFilters = builder.imageTagMutabilityExclusionFilters;
        this.lifecycleRules = builder.lifecycleRules != null ? builder.lifecycleRules : defaultLifecycleRules;
        this.repositoryPolicy = builder.repositoryPolicy;
        this.resourceTags = builder.resourceTags;
        this.customRole = builder.customRole;
    }

    /** @return the description, or {@code null} */
    public String getDescription() {
        return description;
    }

    /** @return the encryption, or {@code null} for the default */
    public TemplateEncryption getEncryption() {
        return encryption;
    }

    /** @return the tag mutability, or {@code null} for the default */
    public TagMutability getImageTagMutability() {
        return imageTagMutability;
    }

    /** @return the wildcard filters of a {@code *_WITH_EXCLUSION} mutability, or {@code null} */
    public List<String> getImageTagMutabilityExclusionFilters() {
        return imageTagMutabilityExclusionFilters;
    }

    /** @return the lifecycle rules, or {@code null} for none */
    public List<LifecycleRule> getLifecycleRules() {
        return lifecycleRules;
    }

    /** @return the repository policy, or {@code null} */
    public PolicyDocument getRepositoryPolicy() {
        return repositoryPolicy;
    }

    /** @return the resource tags, or {@code null} */
    public Map<String, String> getResourceTags() {
        return resourceTags;
    }

    /** @return the custom role, or {@code null} for the default */
    public IRole getCustomRole() {
        return customRole;
    }

    /** @return a new builder */
    public static Builder<?> builder() {
        return new Builder<>();
    }

    /**
     * Builds {@link CreationTemplateOptions}, and is the base of {@link RepositoryCreationTemplateProps.Builder}.
     *
     * @param <B> the concrete builder, which the setters return
     */
    public static class Builder<B extends Builder<B>> {
        private String description;
        private TemplateEncryption encryption;
        private TagMutability imageTagMutability;
        private List<String> imageTagMutabilityExclusionFilters;
        private List<LifecycleRule> lifecycleRules;
        private PolicyDocument repositoryPolicy;
        private Map<String, String> resourceTags;
        private IRole customRole;

        Builder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Takes every setting of some options; setters called after it override them.
         *
         * @param options the options
         * @return this builder
         */
        public B options(CreationTemplateOptions options) {
            this.description = options.getDescription();
            this.encryption = options.getEncryption();
            this.imageTagMutability = options.getImageTagMutability();
            this.imageTagMutabilityExclusionFilters = options.getImageTagMutabilityExclusionFilters();
            this.lifecycleRules = options.getLifecycleRules();
            this.repositoryPolicy = options.getRepositoryPolicy();
            this.resourceTags = options.getResourceTags();
            this.customRole = options.getCustomRole();
            return self();
        }

        /**
         * A description of the template, up to 256 characters.
         *
         * <p>Default: none.
         *
         * @param description the description
         * @return this builder
         */
        public B description(String description) {
            this.description = description;
            return self();
        }

        /**
         * How the created repositories are encrypted. ECR cannot change it afterwards.
         *
         * <p>Default: {@link TemplateEncryption#AES_256}.
         *
         * @param encryption the encryption
         * @return this builder
         */
        public B encryption(TemplateEncryption encryption) {
            this.encryption = encryption;
            return self();
        }

        /**
         * Whether tags of the created repositories can be overwritten. Keep pull through cache repositories
         * MUTABLE: ECR refreshes a cached tag by overwriting it.
         *
         * <p>Default: {@link TagMutability#MUTABLE}.
         *
         * @param imageTagMutability the mutability
         * @return this builder
         */
        public B imageTagMutability(TagMutability imageTagMutability) {
            this.imageTagMutability = imageTagMutability;
            return self();
        }

        /**
         * The tags that are exceptions to an {@code IMMUTABLE_WITH_EXCLUSION} or {@code MUTABLE_WITH_EXCLUSION}
         * mutability: 1 to 5 wildcard filters of letters, digits, {@code . _ - *}, such as {@code latest} or
         * {@code dev-*}.
         *
         * <p>Default: none; required with a {@code *_WITH_EXCLUSION} mutability.
         *
         * @param filters the wildcard filters
         * @return this builder
         */
        public B imageTagMutabilityExclusionFilters(List<String> filters) {
            this.imageTagMutabilityExclusionFilters = filters == null ? null : List.copyOf(filters);
            return self();
        }

        /**
         * Lifecycle rules of the created repositories, written and rendered as for
         * {@code software.amazon.awscdk.services.ecr.Repository}; an empty list for none.
         *
         * <p>Default: {@link CreationTemplateOptions#EXPIRE_UNTAGGED_AFTER_14_DAYS} alone in
         * {@code CreationTemplateOptions} (the templates of a pull through cache rule and of a replica registry);
         * none in {@link RepositoryCreationTemplateProps}.
         *
         * @param lifecycleRules the rules
         * @return this builder
         */
        public B lifecycleRules(List<LifecycleRule> lifecycleRules) {
            this.lifecycleRules = lifecycleRules == null ? null : List.copyOf(lifecycleRules);
            return self();
        }

        /**
         * The repository policy of the created repositories. Its statements name principals and no resources.
         *
         * <p>Default: none.
         *
         * @param repositoryPolicy the policy
         * @return this builder
         */
        public B repositoryPolicy(PolicyDocument repositoryPolicy) {
            this.repositoryPolicy = repositoryPolicy;
            return self();
        }

        /**
         * Tags of the created repositories, up to 50. Tags need the custom role.
         *
         * <p>Default: none.
         *
         * @param resourceTags tag keys and values
         * @return this builder
         */
        public B resourceTags(Map<String, String> resourceTags) {
            this.resourceTags = resourceTags == null ? null : new LinkedHashMap<>(resourceTags);
            return self();
        }

        /**
         * The role ECR assumes to create repositories with KMS encryption or tags. A role you pass is used as it
         * is: it must trust {@code ecr.amazonaws.com} and allow {@code ecr:CreateRepository} (with
         * {@code ecr:TagResource} for tags and {@code ecr:ReplicateImage} for replication) and, for KMS,
         * {@code kms:CreateGrant}, {@code kms:RetireGrant} and {@code kms:DescribeKey} on the key.
         *
         * <p>Default: a role created when KMS or tags need it (child {@code CustomRole}), with exactly those
         * permissions on this template's prefix and key; none otherwise.
         *
         * @param customRole the role
         * @return this builder
         */
        public B customRole(IRole customRole) {
            this.customRole = customRole;
            return self();
        }

        /** @return the options */
        public CreationTemplateOptions build() {
            return new CreationTemplateOptions(this, List.of(EXPIRE_UNTAGGED_AFTER_14_DAYS));
        }
    }
}
