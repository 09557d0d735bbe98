package io.github.pullthroughcache.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.SearchExpression;
import software.amazon.awscdk.services.cloudwatch.Unit;
import software.constructs.IConstruct;

/**
 * The metrics the library's handlers publish in embedded metric format (namespace {@value #NAMESPACE}), each under
 * the dimension {@code Cache}: the cache's stack name and path in it, which the handlers get as {@code METRICS_CACHE}.
 */
public final class CacheMetrics {

    /** The namespace of the handlers' metrics (handlers/shared/metrics.js). */
    public static final String NAMESPACE = "PullThroughCache";
    /** The environment variable naming the cache to a handler. */
    public static final String ENVIRONMENT = "METRICS_CACHE";

    private CacheMetrics() {
    }

    /** @return {@code <stack name>/<path of the cache in its stack>}, token-aware */
    public static String cacheName(IConstruct cache) {
        String stackPath = Stack.of(cache).getNode().getPath();
        String path = cache.getNode().getPath();
        return Aws.STACK_NAME + "/" + (path.startsWith(stackPath + "/") ? path.substring(stackPath.length() + 1) : path);
    }

    /**
     * Pulls per hour of each repository under a prefix: ECR's {@code RepositoryPullCount} (namespace {@code AWS/ECR},
     * dimension {@code RepositoryName}), found by a search, so that repositories created after deployment count too
     * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-repository-metrics.html,
     * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html).
     *
     * @param repositoryPrefix a rule's or copied registry's prefix
     * @return the search, one series per repository
     */
    public static IMetric pulls(String repositoryPrefix) {
        return SearchExpression.Builder.create()
                // a search term without quotes matches part of the repository's name: the prefix's
                .expression("SEARCH('{AWS/ECR,RepositoryName} MetricName=\"RepositoryPullCount\" RepositoryName="
                        + repositoryPrefix + "', 'Sum', 3600)")
                .label(repositoryPrefix + ": ")
                .period(Duration.hours(1))
                .build();
    }

    /**
     * @param cacheName the {@code Cache} dimension's value
     * @param name the metric's name, as the handler publishes it
     * @param statistic such as {@code Sum}
     * @param unit its unit
     * @param label what a graph calls it
     * @param extraDimensions dimensions besides {@code Cache}, such as {@code Rule}
     * @return the metric, over an hour
     */
    public static Metric metric(String cacheName, String name, String statistic, Unit unit, String label,
            Map<String, String> extraDimensions) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        dimensions.put("Cache", cacheName);
        dimensions.putAll(extraDimensions);
        return Metric.Builder.create()
                .namespace(NAMESPACE)
                .metricName(name)
                .dimensionsMap(dimensions)
                .statistic(statistic)
                .unit(unit)
                .label(label)
                .period(Duration.hours(1))
                .build();
    }
}
