package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.stack.PullThroughCacheStackProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awscdk.Environment;
import software.constructs.Construct;

/**
 * One cache per region, in one app: a registry is regional, so each region gets its own rules, templates and
 * endpoints, and tasks pull from the registry of their region. The account stays the one deployed to.
 */
public final class MultiRegionExample {

    /** The regions of the example, by the end of their stack ids. */
    public static final Map<String, String> REGIONS = new TreeMap<>(Map.of("EuWest1", "eu-west-1", "UsEast1", "us-east-1"));

    private MultiRegionExample() {
    }

    /**
     * @param scope the app
     * @param idPrefix the start of each stack id, followed by the key of its region in {@link #REGIONS}
     * @return the stacks, one per region of {@link #REGIONS}
     */
    public static List<PullThroughCacheStack> create(Construct scope, String idPrefix) {
        return REGIONS.entrySet().stream()
                .map(entry -> new PullThroughCacheStack(scope, idPrefix + entry.getKey(),
                        PullThroughCacheStackProps.builder()
                                .env(Environment.builder().region(entry.getValue()).build())
                                .description("Amazon ECR pull through cache in " + entry.getValue())
                                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.KUBERNETES))
                                .build()))
                .toList();
    }
}
