package io.github.pullthroughcache.operations;

import io.github.pullthroughcache.rule.ICacheModel;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.sns.ITopic;

/** Properties of a {@link CredentialCheck}. */
public final class CredentialCheckProps {

    private final ICacheModel cache;
    private final ITopic alarmTopic;
    private final ScheduleExpression schedule;
    private final RetentionDays logRetention;

    private CredentialCheckProps(Builder builder) {
        this.cache = builder.cache;
        this.alarmTopic = builder.alarmTopic;
        this.schedule = builder.schedule;
        this.logRetention = builder.logRetention;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cache whose rules with a credential are checked */
    public ICacheModel getCache() {
        return cache;
    }

    /** @return where the alarms notify, or {@code null} */
    public ITopic getAlarmTopic() {
        return alarmTopic;
    }

    /** @return when the check runs, or {@code null} for hourly */
    public ScheduleExpression getSchedule() {
        return schedule;
    }

    /** @return how long its log is kept, or {@code null} for a year */
    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /** Builds {@link CredentialCheckProps}. */
    public static final class Builder {
        private ICacheModel cache;
        private ITopic alarmTopic;
        private ScheduleExpression schedule;
        private RetentionDays logRetention;

        private Builder() {
        }

        /**
         * The cache: each of its rules with a credential (Docker Hub, GitHub, GitLab, Azure, Chainguard) is checked.
         *
         * @param cache the cache (required)
         * @return this builder
         */
        public Builder cache(ICacheModel cache) {
            this.cache = cache;
            return this;
        }

        /**
         * An SNS topic that the alarms notify when a credential stops working and when it works again.
         *
         * <p>Default: none; the alarms exist all the same, on the console and the cache's dashboard.
         *
         * @param alarmTopic the topic
         * @return this builder
         */
        public Builder alarmTopic(ITopic alarmTopic) {
            this.alarmTopic = alarmTopic;
            return this;
        }

        /**
         * When the check runs.
         *
         * <p>Default: {@code ScheduleExpression.rate(Duration.hours(1))}, which the alarms' one-hour periods expect.
         *
         * @param schedule the schedule
         * @return this builder
         */
        public Builder schedule(ScheduleExpression schedule) {
            this.schedule = schedule;
            return this;
        }

        /**
         * How long the check's log (each rule's result and ECR's reason for a failure) is kept.
         *
         * <p>Default: {@code RetentionDays.ONE_YEAR}.
         *
         * @param logRetention the retention
         * @return this builder
         */
        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = logRetention;
            return this;
        }

        /** @return the props */
        public CredentialCheckProps build() {
            return new CredentialCheckProps(this);
        }
    }
}
