package io.github.pullthroughcache.rule;

import java.util.Objects;
import software.amazon.awscdk.RemovalPolicy;

/** Properties of an {@link UpstreamCredentialSecret}. */
public final class UpstreamCredentialSecretProps {

    private final String secretName;
    private final String username;
    private final String description;
    private final RemovalPolicy removalPolicy;

    private UpstreamCredentialSecretProps(Builder builder) {
        this.secretName = builder.secretName;
        this.username = builder.username;
        this.description = builder.description;
        this.removalPolicy = builder.removalPolicy;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the secret's name; see {@link Builder#secretName(String)} */
    public String getSecretName() {
        return secretName;
    }

    /** @return the upstream user name */
    public String getUsername() {
        return username;
    }

    /** @return the description, or {@code null} */
    public String getDescription() {
        return description;
    }

    /** @return the removal policy, or {@code null} for the default */
    public RemovalPolicy getRemovalPolicy() {
        return removalPolicy;
    }

    /** Builds {@link UpstreamCredentialSecretProps}. */
    public static final class Builder {
        private String secretName;
        private String username;
        private String description;
        private RemovalPolicy removalPolicy;

        private Builder() {
        }

        /**
         * The secret's name. Required. {@code ecr-pullthroughcache/} is put in front unless it is already
         * there: ECR reads only secrets named so.
         *
         * @param secretName such as {@code docker-hub} or {@code ecr-pullthroughcache/docker-hub}
         * @return this builder
         */
        public Builder secretName(String secretName) {
            this.secretName = secretName;
            return this;
        }

        /**
         * The user name at the upstream registry. Required. It is not a credential and is written into the
         * template; the access token never is.
         *
         * @param username such as the Docker Hub account name
         * @return this builder
         */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /**
         * A description of the secret.
         *
         * <p>Default: a description naming ECR pull through cache.
         *
         * @param description the text
         * @return this builder
         */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * What happens to the secret when it leaves the stack.
         *
         * <p>Default: {@link RemovalPolicy#RETAIN}: the access token was put in by hand and cannot be generated
         * again.
         *
         * @param removalPolicy the policy
         * @return this builder
         */
        public Builder removalPolicy(RemovalPolicy removalPolicy) {
            this.removalPolicy = removalPolicy;
            return this;
        }

        /** @return the props */
        public UpstreamCredentialSecretProps build() {
            Objects.requireNonNull(secretName, "UpstreamCredentialSecretProps.secretName is required");
            Objects.requireNonNull(username, "UpstreamCredentialSecretProps.username is required");
            return new UpstreamCredentialSecretProps(this);
        }
    }
}
