package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerProps;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.constructs.Construct;

/**
 * A cache that never needs a NAT gateway: a VPC with isolated subnets and the registry endpoints only, and a
 * {@link CacheWarmer} that pulls the images the tasks will run, from outside the VPC, when the stack deploys and
 * every day after.
 */
public class WarmerExampleStack extends Stack {

    /** The images the example warms. */
    public static final List<String> IMAGES = List.of(
            "public.ecr.aws/nginx/nginx:1.27",
            "public.ecr.aws/docker/library/redis:7.4",
            "registry.k8s.io/pause:3.10");

    /**
     * @param scope the app
     * @param id the stack id
     */
    public WarmerExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Amazon ECR pull through cache behind VPC endpoints, filled by a cache warmer: no NAT gateway")
                .build());

        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.KUBERNETES))
                .endpoints(true)
                .temporaryNat(false)
                // the warmer is built below, with its own list and schedule, instead of the cache's
                .warm(false)
                .build());
        new CacheWarmer(this, "Warmer", CacheWarmerProps.builder()
                .cache(cache)
                .images(IMAGES)
                .schedule(ScheduleExpression.rate(Duration.days(1)))
                .build());
    }
}
