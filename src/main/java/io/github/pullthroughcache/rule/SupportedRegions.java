package io.github.pullthroughcache.rule;

import java.util.List;

/**
 * Where ECR pull through cache exists: every commercial region, and none of the China or GovCloud ones.
 */
public final class SupportedRegions {

    private static final List<String> UNSUPPORTED_REGION_PREFIXES = List.of("cn-", "us-gov-");

    private SupportedRegions() {
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
