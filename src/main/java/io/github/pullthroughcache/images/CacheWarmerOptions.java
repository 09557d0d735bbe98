package io.github.pullthroughcache.images;

import java.util.List;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;

/**
 * The settings of a {@link CacheWarmer} besides its rules and images: those of the warmer a {@code PullThroughCache}
 * creates for the images it routes ({@code PullThroughCacheProps.warmerOptions}), where the cache brings the rules
 * and the images; {@link CacheWarmerProps} adds them.
 */
public class CacheWarmerOptions {

    private final ScheduleExpression schedule;
    private final List<String> platforms;
    private final Boolean failOnError;
    private final Number concurrency;
    private final Number imageConcurrency;
    private final RetentionDays logRetention;

    CacheWarmerOptions(Builder<?> builder) {
        this.schedule = builder.schedule;
        this.platforms = builder.platforms;
        this.failOnError = builder.failOnError;
        this.concurrency = builder.concurrency;
        this.imageConcurrency = builder.imageConcurrency;
        this.logRetention = builder.logRetention;
    }

    /** @return the schedule, or {@code null} for none */
    public ScheduleExpression getSchedule() {
        return schedule;
    }

    /** @return the platforms, or {@code null} for the default */
    public List<String> getPlatforms() {
        return platforms;
    }

    /** @return whether a failed image fails the deployment, or {@code null} for the default */
    public Boolean getFailOnError() {
        return failOnError;
    }

    /** @return how many blobs are pulled at once, or {@code null} for the default */
    public Number getConcurrency() {
        return concurrency;
    }

    /** @return how many images are pulled at once, or {@code null} for the default */
    public Number getImageConcurrency() {
        return imageConcurrency;
    }

    /** @return the log retention, or {@code null} for the default */
    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /** @return a new builder */
    public static Builder<?> builder() {
        return new Builder<>();
    }

    /**
     * Builds {@link CacheWarmerOptions}, and is the base of {@link CacheWarmerProps.Builder}.
     *
     * @param <B> the concrete builder, which the setters return
     */
    public static class Builder<B extends Builder<B>> {
        private ScheduleExpression schedule;
        private List<String> platforms;
        private Boolean failOnError;
        private Number concurrency;
        private Number imageConcurrency;
        private RetentionDays logRetention;

        Builder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Copies every setting.
         *
         * @param options the settings to copy
         * @return this builder
         */
        public B options(CacheWarmerOptions options) {
            this.schedule = options.getSchedule();
            this.platforms = options.getPlatforms();
            this.failOnError = options.getFailOnError();
            this.concurrency = options.getConcurrency();
            this.imageConcurrency = options.getImageConcurrency();
            this.logRetention = options.getLogRetention();
            return self();
        }

        /**
         * When to warm the images again, besides each deployment that changes the warmer: an EventBridge Scheduler
         * schedule, such as {@code ScheduleExpression.rate(Duration.days(1))}.
         *
         * <p>Default: none; the images are warmed when the stack is deployed only.
         *
         * @param schedule the schedule
         * @return this builder
         */
        public B schedule(ScheduleExpression schedule) {
            this.schedule = schedule;
            return self();
        }

        /**
         * The platforms whose manifests and layers the warmer itself downloads from a multi-platform image (an image
         * index or manifest list), as {@code os/architecture[/variant]}. A single-platform image is downloaded
         * whatever its platform.
         *
         * <p>This limits the warmer's own time and bandwidth, not what ECR caches: pulling an index through a pull
         * through cache rule makes ECR import the index and every image it references into the repository (the pull
         * through cache user guide says so of multi-architecture images), so the cache's storage holds every
         * platform. The warmer reads the chosen platforms' blobs to be sure their import finished; the others are
         * left to ECR.
         *
         * <p>Default: {@code linux/amd64} and {@code linux/arm64}.
         *
         * @param platforms such as {@code linux/amd64} or {@code linux/arm/v7}
         * @return this builder
         */
        public B platforms(List<String> platforms) {
            this.platforms = platforms == null ? null : List.copyOf(platforms);
            return self();
        }

        /**
         * Whether an image that cannot be pulled fails the deployment. Either way, each image's result is in the
         * handler's log, and the counts in the custom resource's attributes {@code Warmed}, {@code Failed},
         * {@code Deferred}.
         *
         * <p>Default: {@code false}: an upstream outage or rate limit does not roll the stack back.
         *
         * @param failOnError whether to fail the deployment
         * @return this builder
         */
        public B failOnError(Boolean failOnError) {
            this.failOnError = failOnError;
            return self();
        }

        /**
         * How many blobs (config and layers) of an image are pulled at once.
         *
         * <p>Default: 4.
         *
         * @param concurrency 1 to 16
         * @return this builder
         */
        public B concurrency(Number concurrency) {
            this.concurrency = concurrency;
            return self();
        }

        /**
         * How many images are pulled at once, each with {@link #concurrency} blobs at a time: at most the product of
         * the two downloads are in flight. It is the {@code MaxConcurrency} of the run's Map state, one invocation of
         * the function per image. Images are reported in the order given whatever order they finish in.
         *
         * <p>Default: 4.
         *
         * @param imageConcurrency 1 to 16
         * @return this builder
         */
        public B imageConcurrency(Number imageConcurrency) {
            this.imageConcurrency = imageConcurrency;
            return self();
        }

        /**
         * How long the warmer's logs are kept.
         *
         * <p>Default: {@link RetentionDays#ONE_YEAR}.
         *
         * @param logRetention the retention
         * @return this builder
         */
        public B logRetention(RetentionDays logRetention) {
            this.logRetention = logRetention;
            return self();
        }

        /** @return the options */
        public CacheWarmerOptions build() {
            return new CacheWarmerOptions(this);
        }
    }
}
