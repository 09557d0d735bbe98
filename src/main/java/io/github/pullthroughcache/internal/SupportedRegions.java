package io.github.pullthroughcache.internal;

import java.util.List;
import java.util.Map;

/**
 * Where ECR pull through cache exists: every commercial region, and none of the China or GovCloud ones.
 */
public final class SupportedRegions {

    private static final List<String> UNSUPPORTED_REGION_PREFIXES = List.of("cn-", "us-gov-");

    /** Region name prefixes of the partitions other than {@code aws}, longest first. */
    private static final List<Map.Entry<String, String>> PARTITIONS = List.of(
            Map.entry("us-isob-", "aws-iso-b"), Map.entry("us-isof-", "aws-iso-f"), Map.entry("eu-isoe-", "aws-iso-e"),
            Map.entry("us-iso-", "aws-iso"), Map.entry("us-gov-", "aws-us-gov"), Map.entry("cn-", "aws-cn"));

    private SupportedRegions() {
    }

    /**
     * @param region a literal region name
     * @return the partition it belongs to: {@code aws}, {@code aws-cn}, {@code aws-us-gov}, or an isolated one
     */
    public static String partitionOf(String region) {
        return PARTITIONS.stream().filter(entry -> region.startsWith(entry.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("aws");
    }

    /**
     * @param region a literal region name
     * @return whether pull through cache can exist there
     */
    public static boolean supports(String region) {
        return UNSUPPORTED_REGION_PREFIXES.stream().noneMatch(region::startsWith);
    }

    /**
     * Fails for a region without pull through cache.
     *
     * @param property what the region came from, for the error
     * @param region a literal region name
     * @throws IllegalArgumentException naming the property and the region
     */
    public static void check(String property, String region) {
        if (!supports(region)) {
            throw new IllegalArgumentException(property + " '" + region + "' has no ECR pull through cache: it is "
                    + "not offered in the China (cn-north-1, cn-northwest-1) or AWS GovCloud (us-gov-east-1, "
                    + "us-gov-west-1) regions; deploy to a commercial region such as 'us-east-1'");
        }
    }
}
