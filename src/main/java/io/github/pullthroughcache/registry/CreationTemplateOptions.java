package io.github.pullthroughcache.registry;

import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagStatus;

/**
 * The settings ECR gives a repository it creates by itself: everything of a {@link RepositoryCreationTemplate}
 * but its prefix and when it applies. A pull through cache rule takes them for the template of its prefix
 * ({@code PullThroughCacheRule.addCreationTemplate}).
 */
public final class CreationTemplateOptions extends TemplateSettings {

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

    private CreationTemplateOptions(Builder builder) {
        super(builder);
    }

    /**
     * The lifecycle rules of the repositories the template creates.
     *
     * <p>Default: {@link #EXPIRE_UNTAGGED_AFTER_14_DAYS} alone; {@code lifecycleRules(List.of())} for none.
     *
     * @return the rules
     */
    @Override
    public List<LifecycleRule> getLifecycleRules() {
        List<LifecycleRule> rules = super.getLifecycleRules();
        return rules != null ? rules : List.of(EXPIRE_UNTAGGED_AFTER_14_DAYS);
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
