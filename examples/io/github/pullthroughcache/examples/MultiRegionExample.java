package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.PullThroughCacheStack;
import io.github.pullthroughcache.PullThroughCacheStackProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.Environment;
import software.constructs.Construct;

/**
 * One cache per region, in one app: a registry is regional, so each region gets its own rules, templates and
 * endpoints, and tasks pull from the registry of their region. The account stays the one deployed to.
 */
public final class MultiRegionExample {

    /** The regions of the example. */
    public static final List<String> REGIONS = List.of("eu-west-1", "us-east-1");

    private MultiRegionExample() {
    }

    /**
     * @param scope the app
     * @param idPrefix the start of each stack id, followed by the region in PascalCase
     * @return the stacks, one per region of {@link #REGIONS}
     */
    public static List<PullThroughCacheStack> create(Construct scope, String idPrefix) {
        return REGIONS.stream()
                .map(region -> new PullThroughCacheStack(scope, idPrefix + pascalCase(region),
                        PullThroughCacheStackProps.builder()
                                .env(Environment.builder().region(region).build())
                                .description("Amazon ECR pull through cache in " + region)
                                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.KUBERNETES))
                                .build()))
                .toList();
    }

    private static String pascalCase(String region) {
        StringBuilder out = new StringBuilder();
        for (String word : region.split("-")) {
            out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return out.toString();
    }
}
