package io.github.pullthroughcache.rule;

import io.github.pullthroughcache.registry.CreationTemplateOptions;

/** Properties of a {@link CopiedRegistry}. */
public final class CopiedRegistryProps {

    private final UpstreamRegistry upstream;
    private final String repositoryPrefix;
    private final CreationTemplateOptions creationTemplate;

    private CopiedRegistryProps(Builder builder) {
        this.upstream = builder.upstream;
        this.repositoryPrefix = builder.repositoryPrefix;
        this.creationTemplate = builder.creationTemplate;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the registry whose images are copied, made by {@link UpstreamRegistry#copied(String)} */
    public UpstreamRegistry getUpstream() {
        return upstream;
    }

    /**
     * The prefix of the repositories the images are copied into.
     *
     * <p>Default: the upstream's default prefix, its host's first label ({@code mcr} for {@code mcr.microsoft.com}).
     *
     * @return the prefix, or {@code null} for the default
     */
    public String getRepositoryPrefix() {
        return repositoryPrefix;
    }

    /**
     * The settings of the repositories the copies create.
     *
     * <p>Default: {@code CreationTemplateOptions.builder().build()} (AES-256, MUTABLE tags, untagged images expire
     * after 14 days).
     *
     * @return the settings, or {@code null} for the default
     */
    public CreationTemplateOptions getCreationTemplate() {
        return creationTemplate;
    }

    /** Builds {@link CopiedRegistryProps}. */
    public static final class Builder {
        private UpstreamRegistry upstream;
        private String repositoryPrefix;
        private CreationTemplateOptions creationTemplate;

        private Builder() {
        }

        /**
         * @param upstream the registry whose images are copied ({@link UpstreamRegistry#copied(String)}); required
         * @return this builder
         */
        public Builder upstream(UpstreamRegistry upstream) {
            this.upstream = upstream;
            return this;
        }

        /**
         * @param repositoryPrefix the prefix of the repositories the images are copied into; default the upstream's
         * @return this builder
         */
        public Builder repositoryPrefix(String repositoryPrefix) {
            this.repositoryPrefix = repositoryPrefix;
            return this;
        }

        /**
         * @param creationTemplate the settings of the repositories the copies create; default AES-256, MUTABLE tags,
         *     untagged images expire after 14 days
         * @return this builder
         */
        public Builder creationTemplate(CreationTemplateOptions creationTemplate) {
            this.creationTemplate = creationTemplate;
            return this;
        }

        /** @return the props */
        public CopiedRegistryProps build() {
            return new CopiedRegistryProps(this);
        }
    }
}
