package io.github.pullthroughcache.registry;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagStatus;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

/**
 * The settings ECR gives a repository it creates by itself: everything of a {@link RepositoryCreationTemplate}
 * but its prefix and when it applies. A pull through cache rule takes them for the template of its prefix
 * ({@code PullThroughCacheRule.addCreationTemplate}).
 */
public final class CreationTemplateOptions extends TemplateSettings {

    /**
     * The lifecycle rule the templates of a pull through cache get by default: untagged images expire 14 days
     * after they were cached. A cached image whose tag moved upstream becomes untagged here; pulled again, it
     * comes back from the upstream.
     */
    public static final LifecycleRule EXPIRE_UNTAGGED_AFTER_14_DAYS = LifecycleRule.builder()
            .description("Expire untagged images 14 days after they were cached")
            .tagStatus(TagStatus.UNTAGGED)
            .maxImageAge(Duration.days(14))
            .build();

    private CreationTemplateOptions(Builder builder) {
        super(builder);
    }

    /**
     * The props of a template made from these options, where a library construct creates one: the options'
     * lifecycle rules, else {@link #EXPIRE_UNTAGGED_AFTER_14_DAYS}; their description, else the given one.
     *
     * @param prefix the template's prefix
     * @param appliedFor when it applies
     * @param defaultDescription the description when the options have none
     * @return the template's props
     */
    public RepositoryCreationTemplateProps templateProps(String prefix, AppliedFor appliedFor, String defaultDescription) {
        RepositoryCreationTemplateProps.Builder props = RepositoryCreationTemplateProps.builder()
                .options(this)
                .prefix(prefix)
                .appliedFor(List.of(appliedFor));
        if (getLifecycleRules() == null) {
            props.lifecycleRules(List.of(EXPIRE_UNTAGGED_AFTER_14_DAYS));
        }
        if (getDescription() == null) {
            props.description(defaultDescription);
        }
        return props.build();
    }

    /**
     * These options with {@link TemplateEncryption#KMS_NEW_KEY} made concrete: one key, created here, that every
     * template made from the returned options shares (a key per template would multiply keys for nothing).
     * Other options come back as they are.
     *
     * @param scope the key's parent
     * @param id the key's construct id
     * @param description what the key encrypts
     * @return options whose encryption is {@code kms(<the new key>)}, or these options
     */
    public CreationTemplateOptions withSharedKey(Construct scope, String id, String description) {
        if (getEncryption() == null || !getEncryption().createsKey()) {
            return this;
        }
        Key key = TemplateEncryption.createKey(scope, id, description);
        return builder().options(this).encryption(TemplateEncryption.kms(key)).build();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link CreationTemplateOptions}. */
    public static final class Builder extends AbstractBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the options */
        public CreationTemplateOptions build() {
            return new CreationTemplateOptions(this);
        }
    }
}
