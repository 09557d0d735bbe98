package io.github.pullthroughcache;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awscdk.AspectOptions;
import software.amazon.awscdk.AspectPriority;
import software.amazon.awscdk.Aspects;
import software.constructs.Construct;
import software.constructs.DependencyGroup;
import software.constructs.IDependable;

/**
 * The images a cache routes or is asked to warm, and the {@link CacheWarmer} that pulls them through the cache
 * (child {@code Warmer} of its owner). Recording an image creates nothing: the warmer is created once the cache's
 * tree is complete, by an aspect that runs before synthesis, with every image recorded by then (and any recorded
 * later is added to it). What must wait for the warm-up depends on {@link #warmedUp()}, which holds the warmer's
 * custom resource once it exists.
 */
final class WarmedImages {

    /** The child id of the warmer, under its cache. */
    static final String WARMER_ID = "Warmer";

    private final Construct owner;
    private final IPullThroughCache cache;
    private final CacheWarmerOptions options;
    private final Set<String> images = new LinkedHashSet<>();
    private final DependencyGroup warmedUp = new DependencyGroup();
    private CacheWarmer warmer;

    /**
     * @param owner the warmer's parent
     * @param cache the cache whose rules serve the images
     * @param options the warmer's settings
     */
    WarmedImages(Construct owner, IPullThroughCache cache, CacheWarmerOptions options) {
        this.owner = owner;
        this.cache = cache;
        this.options = options;
        // an aspect visits the construct it is added to first, before its children: the warmer is then visited too
        Aspects.of(owner).add(node -> createWarmer(),
                AspectOptions.builder().priority(AspectPriority.MUTATING).build());
    }

    /**
     * Records images to warm. The caller has checked that a rule of the cache serves each.
     *
     * @param imageReferences what you would pass to {@code docker pull}
     */
    void add(List<String> imageReferences) {
        if (warmer != null) {
            warmer.addImages(imageReferences);
        } else {
            images.addAll(imageReferences);
        }
    }

    /** @return the warmer's deploy-time run, once the warmer exists: what a first pull waits for */
    IDependable warmedUp() {
        return warmedUp;
    }

    /** @return the warmer, or {@code null} until the tree is complete, or when nothing is warmed */
    CacheWarmer warmer() {
        return warmer;
    }

    private void createWarmer() {
        if (warmer != null || images.isEmpty()) {
            return;
        }
        this.warmer = new CacheWarmer(owner, WARMER_ID, CacheWarmerProps.builder()
                .options(options).cache(cache).images(new ArrayList<>(images)).build());
        warmedUp.add(warmer.getResource());
    }
}
