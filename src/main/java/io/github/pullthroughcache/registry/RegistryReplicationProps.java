package io.github.pullthroughcache.registry;

import java.util.List;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Properties of a {@link RegistryReplication}. */
public final class RegistryReplicationProps {

    private final List<ReplicationRule> rules;
    private final RegistryReplicationMode mode;
    private final RetentionDays logRetention;

    private RegistryReplicationProps(Builder builder) {
        this.rules = builder.rules;
        this.mode = builder.mode;
        this.logRetention = builder.logRetention;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the rules, or {@code null} for the default */
    public List<ReplicationRule> getRules() {
        return rules;
    }

    /** @return the mode, or {@code null} for the default */
    public RegistryReplicationMode getMode() {
        return mode;
    }

    /** @return the handler's log retention, or {@code null} for the default */
    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /** Builds {@link RegistryReplicationProps}. */
    public static final class Builder {
        private List<ReplicationRule> rules;
        private RegistryReplicationMode mode;
        private RetentionDays logRetention;

        private Builder() {
        }

        /**
         * The replication rules; more can be added with {@link RegistryReplication#addRule}.
         *
         * <p>Default: none.
         *
         * @param rules up to {@value RegistryReplication#MAX_RULES} rules
         * @return this builder
         */
        public Builder rules(List<ReplicationRule> rules) {
            this.rules = rules == null ? null : List.copyOf(rules);
            return this;
        }

        /**
         * How the replication configuration is written.
         *
         * <p>Default: {@link RegistryReplicationMode#MERGE}, which keeps the rules this construct does not own.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(RegistryReplicationMode mode) {
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
        public RegistryReplicationProps build() {
            return new RegistryReplicationProps(this);
        }
    }
}
