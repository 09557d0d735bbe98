package io.github.pullthroughcache.operations;

import io.github.pullthroughcache.rule.ICacheModel;
import java.util.List;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.amazon.awscdk.services.sns.ITopic;

/** Properties of a {@link CredentialCheck}. */
public final class CredentialCheckProps {

    private final ICacheModel cache;
    private final ITopic alarmTopic;
    private final List<IAlarmAction> alarmActions;
    private final List<IAlarmAction> okActions;
    private final ScheduleExpression schedule;
    private final RetentionDays logRetention;

    private CredentialCheckProps(Builder builder) {
        this.cache = builder.cache;
        this.alarmTopic = builder.alarmTopic;
        this.alarmActions = List.copyOf(builder.alarmActions);
        this.okActions = List.copyOf(builder.okActions);
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

    /** @return what the alarms do when they go off, besides notifying {@link #getAlarmTopic()}; none by default */
    public List<IAlarmAction> getAlarmActions() {
        return alarmActions;
    }

    /** @return what the alarms do when they clear, besides notifying {@link #getAlarmTopic()}; none by default */
    public List<IAlarmAction> getOkActions() {
        return okActions;
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
        private List<IAlarmAction> alarmActions = List.of();
        private List<IAlarmAction> okActions = List.of();
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
         * An SNS topic that the alarms notify when a credential stops working and when it works again: the shorthand
         * of an {@code SnsAction} in both {@link #alarmActions} and {@link #okActions}.
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
         * What each alarm does when a credential stops working, as {@code Alarm.addAlarmAction} takes it: an
         * {@code SnsAction}, a {@code LambdaAction}, an {@code SsmIncidentAction} ({@code aws-cloudwatch-actions}).
         *
         * <p>Default: none (only the {@link #alarmTopic}'s notification, when one is given).
         *
         * @param alarmActions the actions
         * @return this builder
         */
        public Builder alarmActions(List<? extends IAlarmAction> alarmActions) {
            this.alarmActions = List.copyOf(alarmActions);
            return this;
        }

        /**
         * What each alarm does when the credential works again, as {@code Alarm.addOkAction} takes it.
         *
         * <p>Default: none (only the {@link #alarmTopic}'s notification, when one is given).
         *
         * @param okActions the actions
         * @return this builder
         */
        public Builder okActions(List<? extends IAlarmAction> okActions) {
            this.okActions = List.copyOf(okActions);
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
