package io.github.pullthroughcache.internal;

import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.IAspect;
import software.constructs.IConstruct;

/**
 * Runs a check once the app is complete, before synthesis, where it can still add warnings: a
 * {@code node.addValidation} can only return errors. Internal: not part of the public API.
 */
public final class SynthTime {

    private SynthTime() {
    }

    /**
     * @param construct the construct the check is about
     * @param check what to run, once, when aspects visit the construct
     */
    public static void beforeSynth(IConstruct construct, Runnable check) {
        Aspects.of(construct).add(new IAspect() {
            @Override
            public void visit(IConstruct node) {
                if (node == construct) {
                    check.run();
                }
            }
        });
    }
}
