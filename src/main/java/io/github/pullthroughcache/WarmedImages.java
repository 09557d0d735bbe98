package io.github.pullthroughcache;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import software.constructs.Construct;
import software.constructs.IDependable;

/**
 * The images an L3 routes through a cache, recorded as they are routed, and the warmer (child {@value #WARMER_ID} of
 * the L3) that pulls them through the cache at deployment, while warming is on. Routing creates nothing: the warmer is
 * made once, when the app synthesizes ({@link ImageRunAtSynthesis}). A container whose image must be cached before its
 * first pull waits for {@link #warmerRun()}, which holds the warmer's deploy-time run once the warmer exists.
 *
 * <p>For every L3 that routes images and warms them ({@link PullThroughCache}, and the consumer of a shared cache).
 */
final class WarmedImages {

    /** The warmer's construct id, under the L3. */
    static final String WARMER_ID = "Warmer";

    private final boolean warming;
    private final Set<String> routed = new LinkedHashSet<>();
    private final ImageRunAtSynthesis<CacheWarmer> warmer;

    /**
     * @param owner the L3, the warmer's parent
     * @param cache the cache whose rules serve the images
     * @param warming whether the routed images are warmed
     * @param options the warmer's settings
     */
    WarmedImages(Construct owner, IPullThroughCache cache, boolean warming, CacheWarmerOptions options) {
        this.warming = warming;
        this.warmer = new ImageRunAtSynthesis<>(owner, images -> new CacheWarmer(owner, WARMER_ID,
                CacheWarmerProps.builder().options(options).cache(cache).images(images).build()),
                CacheWarmer::addImages, CacheWarmer::getResource);
    }

    /** @return whether the routed images are warmed */
    boolean isWarming() {
        return warming;
    }

    /**
     * Records an image the L3 routes: warmed too, while warming is on.
     *
     * @param image the reference as written, already known to be served by a rule
     */
    void route(String image) {
        if (routed.add(image) && warming) {
            warm(List.of(image));
        }
    }

    /**
     * Records images to warm, whether routed or not; those recorded already are left as they are.
     *
     * @param images references already known to be served by a rule
     */
    void warm(List<String> images) {
        warmer.add(images);
    }

    /** @return the images routed, as written, in the order first routed */
    List<String> routed() {
        return List.copyOf(routed);
    }

    /** @return the warmer, or {@code null} before the app synthesizes or with nothing to warm */
    CacheWarmer warmer() {
        return warmer.made();
    }

    /**
     * What a container waits for so that its image is cached before its first pull: the warmer's deploy-time run, once
     * the warmer exists. Its dependants take it now; it gets the run when the warmer is made.
     *
     * @return the warmer's deploy-time run, to depend on
     */
    IDependable warmerRun() {
        return warmer.run();
    }

    /**
     * Makes the warmer's deploy-time run wait for something, such as the registry policy statements that let it pull.
     *
     * @param dependency what the run waits for
     */
    void runAfter(IDependable dependency) {
        warmer.whenMade(made -> made.getResource().getNode().addDependency(dependency));
    }

    /**
     * Does something to the warmer once it is made, such as what the L3 adds to it for its other parts.
     *
     * @param action what to do
     */
    void whenMade(Consumer<CacheWarmer> action) {
        warmer.whenMade(action);
    }
}
