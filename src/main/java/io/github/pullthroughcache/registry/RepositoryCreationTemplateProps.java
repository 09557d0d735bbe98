package io.github.pullthroughcache.registry;

import java.util.List;

/**
 * Properties of a {@link RepositoryCreationTemplate}: its prefix, when it applies, and the
 * {@link CreationTemplateOptions settings} of the repositories it creates.
 */
public final class RepositoryCreationTemplateProps extends CreationTemplateOptions {

    private final String prefix;
    private final List<AppliedFor> appliedFor;

    private RepositoryCreationTemplateProps(Builder builder) {
        super(builder);
        this.prefix = builder.prefix;
        this.appliedFor = builder.appliedFor;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the repository prefix */
    public String getPrefix() {
        return prefix;
    }

    /** @return when the template applies, or {@code null} for the default */
    public List<AppliedFor> getAppliedFor() {
        return appliedFor;
    }

    /** Builds {@link RepositoryCreationTemplateProps}: the setters of {@link CreationTemplateOptions.Builder} and these. */
    public static final class Builder extends CreationTemplateOptions.Builder<Builder> {
        private String prefix;
        private List<AppliedFor> appliedFor;

        private Builder() {
        }

        /**
         * The repositories the template applies to: those whose name starts with {@code <prefix>/}, or ROOT for
         * those no other template's prefix matches. Required.
         *
         * @param prefix a repository prefix such as {@code quay}, or {@code ROOT}
         * @return this builder
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /**
         * When ECR applies the template.
         *
         * <p>Default: {@link AppliedFor#PULL_THROUGH_CACHE}.
         *
         * @param appliedFor one or more occasions
         * @return this builder
         */
        public Builder appliedFor(List<AppliedFor> appliedFor) {
            this.appliedFor = appliedFor == null ? null : List.copyOf(appliedFor);
            return this;
        }

        /** @return the props */
        @Override
        public RepositoryCreationTemplateProps build() {
            return new RepositoryCreationTemplateProps(this);
        }
    }
}
