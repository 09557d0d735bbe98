package io.github.pullthroughcache.registry;

import software.amazon.awscdk.services.logs.RetentionDays;

/** Properties of a {@link RegistryPolicy}. */
public final class RegistryPolicyProps {

    private final RegistryPolicyMode mode;
    private final RetentionDays logRetention;

    private RegistryPolicyProps(Builder builder) {
        this.mode = builder.mode;
        this.logRetention = builder.logRetention;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the mode, or {@code null} for the default */
    public RegistryPolicyMode getMode() {
        return mode;
    }

    /** @return the handler's log retention, or {@code null} for the default */
    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /** Builds {@link RegistryPolicyProps}. */
    public static final class Builder {
        private RegistryPolicyMode mode;
        private RetentionDays logRetention;

        private Builder() {
        }

        /**
         * How the registry policy is written.
         *
         * <p>Default: {@link RegistryPolicyMode#MERGE}, which keeps the statements this stack does not own.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(RegistryPolicyMode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * How long the MERGE handler's logs are kept.
         *
         * <p>Default: {@link RetentionDays#ONE_YEAR}.
         *
         * @param logRetention the retention
         * @return this builder
         */
        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = logRetention;
            return this;
        }

        /** @return the props */
        public RegistryPolicyProps build() {
            return new RegistryPolicyProps(this);
        }
    }
}
