package io.github.pullthroughcache;

import io.github.pullthroughcache.internal.SynthTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import software.constructs.Construct;
import software.constructs.DependencyGroup;
import software.constructs.IDependable;

/**
 * The images an L3 routes through a cache, recorded as they are routed, and the warmer (child {@value #WARMER_ID} of
 * the L3) that pulls them through the cache at deployment, while warming is on. Routing creates nothing: the warmer is
 * made once, when the app synthesizes, by an aspect on the L3. Aspects run before the dependencies and references of
 * the app are worked out, and before validation, so the warmer is rendered, tagged by the app's other aspects and
 * checked as if the L3's constructor had made it. A container whose image must be cached before its first pull
 * waits for {@link #warmerRun()}, which holds the warmer's deploy-time run once the warmer exists.
 *
 * <p>For every L3 that routes images and warms them ({@link PullThroughCache}, and the consumer of a shared cache).
 */
final class WarmedImages {

    /** The warmer's construct id, under the L3. */
    static final String WARMER_ID = "Warmer";

    private final Construct owner;
    private final IPullThroughCache cache;
    private final boolean warming;
    private final CacheWarmerOptions options;
    private final Set<String> routed = new LinkedHashSet<>();
    private final Set<String> toWarm = new LinkedHashSet<>();
    private final List<IDependable> runAfter = new ArrayList<>();
    private final List<Consumer<CacheWarmer>> whenMade = new ArrayList<>();
    private DependencyGroup warmerRun;
    private boolean scheduled;
    private CacheWarmer warmer;

    /**
     * @param owner the L3, the warmer's parent
     * @param cache the cache whose rules serve the images
     * @param warming whether the routed images are warmed
     * @param options the warmer's settings
     */
    WarmedImages(Construct owner, IPullThroughCache cache, boolean warming, CacheWarmerOptions options) {
        this.owner = owner;
        this.cache = cache;
        this.warming = warming;
        this.options = options;
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
        List<String> added = new ArrayList<>();
        for (String image : images) {
            if (toWarm.add(image)) {
                added.add(image);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        if (warmer != null) {
            // routed after a synthesis made the warmer
            warmer.addImages(added);
        } else if (!scheduled) {
            // one aspect, when there is something to warm: it visits every construct under the L3, each visit a
            // round trip from jsii to Java
            scheduled = true;
            SynthTime.beforeSynth(owner, this::createWarmer);
        }
    }

    /** @return the images routed, as written, in the order first routed */
    List<String> routed() {
        return List.copyOf(routed);
    }

    /** @return the warmer, or {@code null} before the app synthesizes or with nothing to warm */
    CacheWarmer warmer() {
        return warmer;
    }

    /**
     * What a container waits for so that its image is cached before its first pull: the warmer's deploy-time run, once
     * the warmer exists. Its dependants take it now; it gets the run when the warmer is made.
     *
     * @return the warmer's deploy-time run, to depend on
     */
    IDependable warmerRun() {
        if (warmerRun == null) {
            warmerRun = new DependencyGroup();
            if (warmer != null) {
                warmerRun.add(warmer.getResource());
            }
        }
        return warmerRun;
    }

    /**
     * Makes the warmer's deploy-time run wait for something, such as the registry policy statements that let it pull.
     *
     * @param dependency what the run waits for
     */
    void runAfter(IDependable dependency) {
        runAfter.add(dependency);
        if (warmer != null) {
            warmer.getResource().getNode().addDependency(dependency);
        }
    }

    /**
     * Does something to the warmer once it is made, such as what the L3 adds to it for its other parts.
     *
     * @param action what to do
     */
    void whenMade(Consumer<CacheWarmer> action) {
        whenMade.add(action);
        if (warmer != null) {
            action.accept(warmer);
        }
    }

    private void createWarmer() {
        if (warmer != null || toWarm.isEmpty()) {
            return;
        }
        warmer = new CacheWarmer(owner, WARMER_ID, CacheWarmerProps.builder()
                .options(options).cache(cache).images(List.copyOf(toWarm)).build());
        if (!runAfter.isEmpty()) {
            warmer.getResource().getNode().addDependency(runAfter.toArray(IDependable[]::new));
        }
        if (warmerRun != null) {
            warmerRun.add(warmer.getResource());
        }
        whenMade.forEach(action -> action.accept(warmer));
    }
}
