package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.images.CacheWarmerOptions;
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
 * Images of a registry that ECR's pull through cache cannot serve, mcr.microsoft.com, copied into the registry and
 * run from a VPC with endpoints and no NAT gateway: the cache's copier (child {@code Cache/Copier}) copies the image
 * the service runs, and one more, when the stack deploys and every day after; the service's task definition waits for
 * that copy. Images of ECR Public go through the pull through cache as usual.
 */
public class CopiedRegistryExampleStack extends Stack {

    /** The image the service runs, copied from mcr.microsoft.com. */
    public static final String IMAGE = "mcr.microsoft.com/dotnet/samples:aspnetapp";
    /** An image copied besides, for something outside the app that pulls it. */
    public static final String ALSO_COPIED = "mcr.microsoft.com/dotnet/runtime-deps:8.0";

    /**
     * @param scope the app
     * @param id the stack id
     */
    public CopiedRegistryExampleStack(Construct scope, String id) {
        super(scope, id, StackProps.builder()
                .description("Images of mcr.microsoft.com copied into Amazon ECR and run behind VPC endpoints: no NAT gateway")
                .build());

        PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.copied("mcr.microsoft.com")))
                // the copier runs on the warmer's schedule: a tag that moved upstream is copied again
                .warmerOptions(CacheWarmerOptions.builder().schedule(ScheduleExpression.rate(Duration.days(1))).build())
                .build());
        WebService.create(this, cache.getVpc(), cache.containerImage(IMAGE));
        cache.warm(ALSO_COPIED);
    }
}
