package io.github.pullthroughcache.operations;

import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;

/**
 * The settings of an {@link ImageEvictor} besides its cache and age ({@link ImageEvictorProps#getOptions()}), and
 * of the one a {@code PullThroughCache} creates ({@code PullThroughCacheProps.evictionOptions}, with
 * {@code evictUnpulledAfter} as the age).
 */
public final class ImageEvictorOptions {

    private final Boolean deleteEmptyRepositories;
    private final ScheduleExpression schedule;
    private final RetentionDays logRetention;

    private ImageEvictorOptions(AbstractBuilder<?> builder) {
        this.deleteEmptyRepositories = builder.deleteEmptyRepositories;
        this.schedule = builder.schedule;
        this.logRetention = builder.logRetention;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether a repository the evictor emptied is deleted, or {@code null} for the default (false) */
    public Boolean getDeleteEmptyRepositories() {
        return deleteEmptyRepositories;
    }

    /** @return when the evictor runs, or {@code null} for the default (daily) */
    public ScheduleExpression getSchedule() {
        return schedule;
    }

    /** @return how long its log is kept, or {@code null} for the default (a year) */
    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /**
     * The setters of the options.
     *
     * @param <B> the builder's own type
     */
    public abstract static class AbstractBuilder<B extends AbstractBuilder<B>> {
        private Boolean deleteEmptyRepositories;
        private ScheduleExpression schedule;
        private RetentionDays logRetention;

        protected AbstractBuilder() {
        }

        /** @return this builder, as its own type */
        protected abstract B self();

        /**
         * Copies the options' settings into this builder.
         *
         * @param options the options, or {@code null} for none
         * @return this builder
         */
        public B options(ImageEvictorOptions options) {
            if (options != null) {
                this.deleteEmptyRepositories = options.getDeleteEmptyRepositories();
                this.schedule = options.getSchedule();
                this.logRetention = options.getLogRetention();
            }
            return self();
        }

        /**
         * Whether to delete a repository the evictor emptied (without force: a repository that a pull filled again
         * meanwhile stays). The next pull of one of its images creates it again, through the creation template.
         *
         * <p>Default: false; an emptied repository stays, at no storage cost.
         *
         * @param deleteEmptyRepositories whether to delete it
         * @return this builder
         */
        public B deleteEmptyRepositories(Boolean deleteEmptyRepositories) {
            this.deleteEmptyRepositories = deleteEmptyRepositories;
            return self();
        }

        /**
         * When the evictor runs.
         *
         * <p>Default: {@code ScheduleExpression.rate(Duration.days(1))}.
         *
         * @param schedule the schedule
         * @return this builder
         */
        public B schedule(ScheduleExpression schedule) {
            this.schedule = schedule;
            return self();
        }

        /**
         * How long the evictor's log (each image it deleted) is kept.
         *
         * <p>Default: {@code RetentionDays.ONE_YEAR}.
         *
         * @param logRetention the retention
         * @return this builder
         */
        public B logRetention(RetentionDays logRetention) {
            this.logRetention = logRetention;
            return self();
        }
    }

    /** Builds {@link ImageEvictorOptions}. */
    public static final class Builder extends AbstractBuilder<Builder> {
        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @return the options */
        public ImageEvictorOptions build() {
            return new ImageEvictorOptions(this);
        }
    }
}
