package io.github.pullthroughcache;

import io.github.pullthroughcache.internal.SynthTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awscdk.CustomResource;
import software.constructs.Construct;
import software.constructs.DependencyGroup;
import software.constructs.IDependable;

/**
 * Images an L3 records as it routes them, and the construct that puts them in the registry at deployment (the
 * cache's warmer, its copier), made once, when the app synthesizes, by an aspect on the L3: routing an image creates
 * nothing. Aspects run before the dependencies and references of the app are worked out, and before validation, so
 * the construct is rendered, tagged by the app's other aspects and checked as if the L3's constructor had made it.
 * What waits for the images takes {@link #run()}, which holds the construct's deploy-time run once it exists.
 *
 * @param <R> the construct
 */
final class ImageRunAtSynthesis<R> {

    private final Construct owner;
    private final Function<List<String>, R> make;
    private final BiConsumer<R, List<String>> add;
    private final Function<R, CustomResource> resourceOf;
    private final Set<String> images = new LinkedHashSet<>();
    private final List<Consumer<R>> whenMade = new ArrayList<>();
    private DependencyGroup run;
    private boolean scheduled;
    private R made;

    /**
     * @param owner the L3, on which the aspect runs
     * @param make makes the construct with the images recorded by then
     * @param add adds images recorded after it was made
     * @param resourceOf its deploy-time run
     */
    ImageRunAtSynthesis(Construct owner, Function<List<String>, R> make, BiConsumer<R, List<String>> add,
            Function<R, CustomResource> resourceOf) {
        this.owner = owner;
        this.make = make;
        this.add = add;
        this.resourceOf = resourceOf;
    }

    /**
     * Records images; those recorded already are left as they are.
     *
     * @param references image references, each already known to be served
     */
    void add(List<String> references) {
        List<String> added = new ArrayList<>();
        for (String image : references) {
            if (images.add(image)) {
                added.add(image);
            }
        }
        if (added.isEmpty()) {
            return;
        }
        if (made != null) {
            // recorded after a synthesis made it
            add.accept(made, added);
        } else if (!scheduled) {
            // one aspect, once there is something to put in the registry: it visits every construct under the L3,
            // each visit a round trip from jsii to Java
            scheduled = true;
            SynthTime.beforeSynth(owner, this::make);
        }
    }

    /** @return the construct, or {@code null} before the app synthesizes or with no image */
    R made() {
        return made;
    }

    /**
     * What waits for the images to be in the registry: the deploy-time run, once the construct exists. Its dependants
     * take it now; it gets the run when the construct is made.
     *
     * @return the deploy-time run, to depend on
     */
    IDependable run() {
        if (run == null) {
            run = new DependencyGroup();
            if (made != null) {
                run.add(resourceOf.apply(made));
            }
        }
        return run;
    }

    /**
     * Does something to the construct once it is made, such as what the L3 adds to it for its other parts.
     *
     * @param action what to do
     */
    void whenMade(Consumer<R> action) {
        whenMade.add(action);
        if (made != null) {
            action.accept(made);
        }
    }

    private void make() {
        if (made != null || images.isEmpty()) {
            return;
        }
        made = make.apply(List.copyOf(images));
        if (run != null) {
            run.add(resourceOf.apply(made));
        }
        whenMade.forEach(action -> action.accept(made));
    }
}
