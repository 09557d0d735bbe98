package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.images.CacheWarmerProps;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;
import software.constructs.DependencyGroup;
import software.constructs.IDependable;

/**
 * What the three caches (of this stack, imported, and the consumer of a shared one) hold alike: the images they use,
 * their warmer (child {@value #WARMER_ID}) and warm-up, the listeners of their served prefixes, and the rule of a prefix.
 */
abstract class PullThroughCacheBase extends Construct implements IPullThroughCache {

    /** The warmer's construct id, under the cache. */
    static final String WARMER_ID = "Warmer";

    private final Set<String> imagesInUse = new LinkedHashSet<>();
    private final List<Consumer<? super IPullThroughCacheRule>> servedListeners = new ArrayList<>();
    /** Everything that fills the cache for this app: the warmer's run and the copier's, those that exist. */
    private final DependencyGroup warmUp = new DependencyGroup();
    private CacheWarmer warmer;

    PullThroughCacheBase(Construct scope, String id) {
        super(scope, id);
    }

    /**
     * Makes the warmer of the images the cache uses; they reach it as they are recorded, and its custom resource
     * renders them when the app synthesizes (none: the run does nothing).
     */
    final CacheWarmer createWarmer(CacheWarmerOptions options) {
        this.warmer = new CacheWarmer(this, WARMER_ID, CacheWarmerProps.builder().options(options).cache(this).build());
        addWarmUp(warmer.getResource());
        return warmer;
    }

    /** @param run a deploy-time run that fills the cache, such as the copier's */
    final void addWarmUp(IDependable run) {
        warmUp.add(run);
    }

    /**
     * Records an image the cache uses.
     *
     * @return whether it is new
     */
    final boolean recordImage(String imageReference) {
        return imagesInUse.add(imageReference);
    }

    /** Tells the listeners of {@link #forEachServed} of a rule or copied registry just added. */
    final void served(IPullThroughCacheRule target) {
        new ArrayList<>(servedListeners).forEach(listener -> listener.accept(target));
    }

    @Override
    public void forEachServed(Consumer<? super IPullThroughCacheRule> action) {
        getServed().forEach(action);
        servedListeners.add(action);
    }

    @Override
    public List<String> getImagesInUse() {
        return List.copyOf(imagesInUse);
    }

    /**
     * What something that pulls a cached image waits for, such as an EKS node group or a service not made with
     * {@code containerImage}: every deploy-time run that fills the cache for this app (the warmer's, the copier's),
     * those made later too. It exists whatever is warmed.
     *
     * @return the runs, to depend on
     */
    public IDependable getWarmUp() {
        return warmUp;
    }

    /** @return the warmer of the images the cache routes and warms, or {@code null} without warming */
    public CacheWarmer getWarmer() {
        return warmer;
    }

    @Override
    public IPullThroughCacheRule getRule(String repositoryPrefix) {
        return withPrefix(getRules(), repositoryPrefix);
    }

    /** @return the rule of that prefix, or an error naming the prefixes the cache has */
    final <T extends IPullThroughCacheRule> T withPrefix(List<T> rules, String repositoryPrefix) {
        return rules.stream()
                .filter(rule -> rule.getRepositoryPrefix().equals(repositoryPrefix))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("PullThroughCache " + getNode().getPath()
                        + " has no rule with prefix '" + repositoryPrefix + "'; its prefixes: "
                        + rules.stream().map(IPullThroughCacheRule::getRepositoryPrefix).toList()));
    }

    /** @return the grants of each target, combined, or a dropped grant when there is none */
    static Grant combined(IGrantable grantee, List<Grant> grants, String none) {
        return grants.stream().reduce(Grant::combine).orElseGet(() -> Grant.drop(grantee, none));
    }
}
