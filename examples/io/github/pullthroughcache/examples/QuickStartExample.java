package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.stack.PullThroughCacheStackProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.constructs.Construct;

/**
 * The quick start: ECR Public, Quay and Kubernetes cached in a new VPC with no internet, and a temporary NAT
 * gateway for the first pulls. Deploy it, pull each image once, then {@code cdk deploy PullThroughCacheQuickStart
 * -c temporaryNat=false}: the NAT gateway goes and the cache stays.
 */
public final class QuickStartExample {

    private QuickStartExample() {
    }

    /**
     * @param scope the app
     * @param id the stack id
     * @return the stack
     */
    public static PullThroughCacheStack create(Construct scope, String id) {
        return new PullThroughCacheStack(scope, id, PullThroughCacheStackProps.builder()
                .description("Quick start: Amazon ECR pull through cache for ECR Public, Quay and Kubernetes")
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES))
                .temporaryNat(true)
                .build());
    }
}
