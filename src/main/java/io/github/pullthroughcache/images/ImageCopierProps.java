package io.github.pullthroughcache.images;

import io.github.pullthroughcache.rule.CopiedRegistry;
import java.util.List;

/**
 * Properties of an {@link ImageCopier}: the copied registries, the images, and the settings of its runs, which it
 * shares with the cache warmer ({@link CacheWarmerOptions}: schedule, concurrency, imageConcurrency, failOnError,
 * logRetention; platforms are the copier's own, {@link #getPlatforms()}).
 */
public final class ImageCopierProps {

    private final List<CopiedRegistry> registries;
    private final List<String> images;
    private final CacheWarmerOptions options;
    private final List<String> platforms;

    private ImageCopierProps(Builder builder) {
        this.registries = builder.registries;
        this.images = builder.images;
        this.options = builder.options;
        this.platforms = builder.platforms;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the copied registries whose images are copied; required */
    public List<CopiedRegistry> getRegistries() {
        return registries;
    }

    /** @return the images to copy, or {@code null} for none */
    public List<String> getImages() {
        return images;
    }

    /**
     * The settings of a run, as the cache warmer takes them: schedule, concurrency (blobs copied at once, across
     * every image: each holds one layer part in memory), imageConcurrency, failOnError, logRetention. Their
     * platforms are not the copier's ({@link #getPlatforms()}).
     *
     * <p>Default: {@code CacheWarmerOptions.builder().build()}: no schedule, 4 blobs and 4 images at once, a failed
     * image does not fail the deployment, logs kept a year.
     *
     * @return the settings, or {@code null} for the default
     */
    public CacheWarmerOptions getOptions() {
        return options;
    }

    /**
     * The platforms copied of a multi-platform image. Given, an index is copied with those platforms only, under an
     * index of its own whose digest is not the upstream's.
     *
     * <p>Default: every platform, so that the index keeps the upstream's digest.
     *
     * @return the platforms, or {@code null} for every one
     */
    public List<String> getPlatforms() {
        return platforms;
    }

    /** Builds {@link ImageCopierProps}. */
    public static final class Builder {
        private List<CopiedRegistry> registries;
        private List<String> images;
        private CacheWarmerOptions options;
        private List<String> platforms;

        private Builder() {
        }

        /**
         * @param registries the copied registries whose images are copied; required
         * @return this builder
         */
        public Builder registries(List<CopiedRegistry> registries) {
            this.registries = registries == null ? null : List.copyOf(registries);
            return this;
        }

        /**
         * @param images the images to copy, as you would pass them to {@code docker pull}, such as
         *     {@code mcr.microsoft.com/dotnet/runtime:8.0}; default none: add them with {@link ImageCopier#addImages}
         * @return this builder
         */
        public Builder images(List<String> images) {
            this.images = images == null ? null : List.copyOf(images);
            return this;
        }

        /**
         * @param options the settings of a run; default no schedule, 4 blobs and 4 images at once
         * @return this builder
         */
        public Builder options(CacheWarmerOptions options) {
            this.options = options;
            return this;
        }

        /**
         * @param platforms the platforms copied of a multi-platform image, such as {@code linux/amd64}; default every
         *     platform
         * @return this builder
         */
        public Builder platforms(List<String> platforms) {
            this.platforms = platforms == null ? null : List.copyOf(platforms);
            return this;
        }

        /** @return the props */
        public ImageCopierProps build() {
            return new ImageCopierProps(this);
        }
    }
}
