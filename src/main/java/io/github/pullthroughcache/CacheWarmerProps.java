package io.github.pullthroughcache;

import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.List;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;

/** Properties of a {@link CacheWarmer}. */
public final class CacheWarmerProps {

    private final IPullThroughCache cache;
    private final List<IPullThroughCacheRule> rules;
    private final List<String> images;
    private final ScheduleExpression schedule;
    private final List<String> platforms;
    private final Boolean failOnError;
    private final Number concurrency;
    private final RetentionDays logRetention;

    private CacheWarmerProps(Builder builder) {
        this.cache = builder.cache;
        this.rules = builder.rules;
        this.images = builder.images;
        this.schedule = builder.schedule;
        this.platforms = builder.platforms;
        this.failOnError = builder.failOnError;
        this.concurrency = builder.concurrency;
        this.logRetention = builder.logRetention;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cache, or {@code null} when rules are given */
    public IPullThroughCache getCache() {
        return cache;
    }

    /** @return the rules, or {@code null} when a cache is given */
    public List<IPullThroughCacheRule> getRules() {
        return rules;
    }

    /** @return the images to warm */
    public List<String> getImages() {
        return images;
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

    /** @return the log retention, or {@code null} for the default */
    public RetentionDays getLogRetention() {
        return logRetention;
    }

    /** Builds {@link CacheWarmerProps}. */
    public static final class Builder {
        private IPullThroughCache cache;
        private List<IPullThroughCacheRule> rules;
        private List<String> images;
        private ScheduleExpression schedule;
        private List<String> platforms;
        private Boolean failOnError;
        private Number concurrency;
        private RetentionDays logRetention;

        private Builder() {
        }

        /**
         * The cache whose rules serve the images. Give this or {@link #rules}.
         *
         * @param cache the cache
         * @return this builder
         */
        public Builder cache(IPullThroughCache cache) {
            this.cache = cache;
            return this;
        }

        /**
         * The rules that serve the images, for rules made without a {@link PullThroughCache}. Give this or
         * {@link #cache}.
         *
         * @param rules the rules, in the order an image's registry is matched against them
         * @return this builder
         */
        public Builder rules(List<? extends IPullThroughCacheRule> rules) {
            this.rules = rules == null ? null : List.copyOf(rules);
            return this;
        }

        /**
         * The images to pull through the cache, in any form {@link PullThroughCache#imageUri} takes
         * ({@code nginx:1.27}, {@code public.ecr.aws/nginx/nginx:1.27}, {@code quay.io/...@sha256:...}). Required.
         *
         * @param images one or more image references
         * @return this builder
         */
        public Builder images(List<String> images) {
            this.images = images == null ? null : List.copyOf(images);
            return this;
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
        public Builder schedule(ScheduleExpression schedule) {
            this.schedule = schedule;
            return this;
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
        public Builder platforms(List<String> platforms) {
            this.platforms = platforms == null ? null : List.copyOf(platforms);
            return this;
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
        public Builder failOnError(Boolean failOnError) {
            this.failOnError = failOnError;
            return this;
        }

        /**
         * How many blobs (config and layers) of an image are pulled at once.
         *
         * <p>Default: 4.
         *
         * @param concurrency 1 to 16
         * @return this builder
         */
        public Builder concurrency(Number concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /**
         * How long the warmer's logs are kept.
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
        public CacheWarmerProps build() {
            return new CacheWarmerProps(this);
        }
    }
}
