package io.github.pullthroughcache.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.constructs.IConstruct;

/**
 * What a cache serves, for every feature that works on a cache (its warmer, copier, evictor, remover, credential
 * check, dashboard, Kubernetes mirrors): the cache's registry host, its served prefixes (each rule and copied
 * registry, with its upstream host, its prefix and whether it is copied: {@code getUpstream().isCopied()}) and the
 * images it uses. A feature reads it when the app is synthesized, with aws-cdk's {@code Lazy} (as {@code Repository}
 * renders its policy), so that a rule, copied registry or image added at any time reaches it; what cannot be lazy (a
 * policy statement's resources, a dependency, an alarm per rule) it adds for each served prefix through
 * {@link #forEachServed}. Every {@code IPullThroughCache} is one.
 */
public interface ICacheModel extends IConstruct {

    /** @return the host of the cache's registry, {@code <account>.dkr.ecr.<region>.<suffix>} */
    String getRegistryHost();

    /** @return the cache's rules, in the order they were added */
    List<? extends IPullThroughCacheRule> getRules();

    /**
     * The registries whose images the cache copies in ({@code UpstreamRegistry.copied}): not rules, but routed as
     * rules are, so each offers a rule's prefix, upstream host and registry host.
     *
     * @return the copied registries, in the order they were added; none by default
     */
    default List<? extends IPullThroughCacheRule> getCopiedRegistries() {
        return List.of();
    }

    /** @return every prefix the cache serves: its rules, then its copied registries, each in the order added */
    default List<IPullThroughCacheRule> getServed() {
        List<IPullThroughCacheRule> served = new ArrayList<>(getRules());
        served.addAll(getCopiedRegistries());
        return served;
    }

    /**
     * @return the image references the cache's app routes through it or warms, as written, in the order first
     *     recorded: what its warmer or copier puts in the registry, and what its evictor keeps; none by default
     */
    default List<String> getImagesInUse() {
        return List.of();
    }

    /**
     * Calls the action with each rule and copied registry the cache serves: those it has now, at once, and each one
     * added later, when it is added. For what a feature must add per prefix and cannot render lazily.
     *
     * @param action what to do with each
     */
    default void forEachServed(Consumer<? super IPullThroughCacheRule> action) {
        getServed().forEach(action);
    }
}
