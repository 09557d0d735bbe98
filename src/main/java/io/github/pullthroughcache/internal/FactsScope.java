package io.github.pullthroughcache.internal;

import software.constructs.Construct;

/**
 * A plain grouping construct of the library (such as a cache's {@code Rules}) that knows its stack's facts, so that
 * the constructs made under it find them without a jsii round trip. Internal: not part of the public API.
 */
public final class FactsScope extends Construct {

    private final StackFacts facts;

    /**
     * @param scope the parent, of the facts' stack
     * @param id the construct id
     * @param facts the facts of the parent's stack
     */
    public FactsScope(Construct scope, String id, StackFacts facts) {
        super(scope, id);
        this.facts = facts;
    }

    /** @return the facts of the stack */
    public StackFacts facts() {
        return facts;
    }
}
