package io.github.pullthroughcache.registry;

import java.util.List;

/** Properties of a {@link ReplicaRegistry}. */
public final class ReplicaRegistryProps {

    private final RegistryReplication replication;
    private final CreationTemplateOptions creationTemplate;
    private final List<String> prefixes;

    private ReplicaRegistryProps(Builder builder) {
        this.replication = builder.replication;
        this.creationTemplate = builder.creationTemplate;
        this.prefixes = builder.prefixes;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the replication that copies images here */
    public RegistryReplication getReplication() {
        return replication;
    }

    /** @return the settings of the replicated repositories, or {@code null} for the default */
    public CreationTemplateOptions getCreationTemplate() {
        return creationTemplate;
    }

    /** @return the template prefixes, or {@code null} for the default */
    public List<String> getPrefixes() {
        return prefixes;
    }

    /** Builds {@link ReplicaRegistryProps}. */
    public static final class Builder {
        private RegistryReplication replication;
        private CreationTemplateOptions creationTemplate;
        private List<String> prefixes;

        private Builder() {
        }

        /**
         * The replication that copies images into this stack's registry. Required.
         *
         * @param replication the source registry's replication
         * @return this builder
         */
        public Builder replication(RegistryReplication replication) {
            this.replication = replication;
            return this;
        }

        /**
         * The settings ECR gives the repositories replication creates here.
         *
         * <p>Default: AES-256, mutable tags, untagged images expire after 14 days
         * ({@link CreationTemplateOptions#EXPIRE_UNTAGGED_AFTER_14_DAYS}): a replica whose tag moved at the source
         * becomes untagged here, and the source's lifecycle policy never acts on this region.
         *
         * @param creationTemplate the settings
         * @return this builder
         */
        public Builder creationTemplate(CreationTemplateOptions creationTemplate) {
            this.creationTemplate = creationTemplate;
            return this;
        }

        /**
         * The repository prefixes to give a creation template, one template each.
         *
         * <p>Default: the filters of the rules that replicate here, without a trailing {@code /}; {@code ROOT} when
         * one of them replicates every repository.
         *
         * @param prefixes template prefixes such as {@code ecr-public}, or {@code ROOT}
         * @return this builder
         */
        public Builder prefixes(List<String> prefixes) {
            this.prefixes = prefixes == null ? null : List.copyOf(prefixes);
            return this;
        }

        /** @return the props */
        public ReplicaRegistryProps build() {
            return new ReplicaRegistryProps(this);
        }
    }
}
