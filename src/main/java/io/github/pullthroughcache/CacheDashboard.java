package io.github.pullthroughcache;

import io.github.pullthroughcache.network.TemporaryNatGateway;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.HorizontalAnnotation;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.SearchExpression;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.Unit;
import software.amazon.awscdk.services.cloudwatch.YAxisProps;
import software.amazon.awscdk.services.stepfunctions.StateMachine;

/**
 * The rows of a cache's CloudWatch dashboard, one per concern, each headed by a line that says what to look for:
 * pulls per cached repository; the warmer's outcome; the evictor's; the upstream credentials; the temporary NAT
 * gateway's bytes. A row exists only for what the cache has. Metrics of rules added later join their rows.
 */
final class CacheDashboard {

    private static final int FULL = 24;
    private static final int HALF = 12;
    private static final int HEIGHT = 6;
    private static final Duration HOUR = Duration.hours(1);

    private final Dashboard dashboard;
    private final String cacheName;
    private final GraphWidget pulls;
    private GraphWidget warmerRuns;

    /**
     * Creates the dashboard (child {@code Dashboard} of the cache) with its pulls row.
     *
     * @param cache the cache
     */
    CacheDashboard(PullThroughCache cache) {
        this.cacheName = CacheMetrics.cacheName(cache);
        this.dashboard = Dashboard.Builder.create(cache, "Dashboard")
                .defaultInterval(Duration.days(7))
                .build();
        // AWS/ECR RepositoryPullCount, per repository (dimension RepositoryName): one search per rule prefix finds the
        // repositories the cache created, those created after deployment too
        // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-repository-metrics.html,
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html)
        this.pulls = graph("Image pulls per cached repository (AWS/ECR RepositoryPullCount, per hour)", FULL,
                "Pulls", List.of());
        row("Pulls", "What the cache serves: pulls of each repository under its prefixes. A repository without "
                + "pulls for long is what the evictor deletes.", pulls);
    }

    /** Adds the repositories of the rule to the pulls graph. */
    void addRule(PullThroughCacheRule rule) {
        String prefix = rule.getRepositoryPrefix();
        pulls.addLeftMetric(SearchExpression.Builder.create()
                // a search term without quotes matches part of the repository's name: the prefix's
                .expression("SEARCH('{AWS/ECR,RepositoryName} MetricName=\"RepositoryPullCount\" RepositoryName=" + prefix
                        + "', 'Sum', 3600)")
                .label(prefix + ": ")
                .period(HOUR)
                .build());
    }

    /**
     * The warmer's outcome: images warmed, failed and deferred per hour, the bytes it pulled, and its runs (the
     * executions of its state machine, which {@link #addWarmerRuns} adds once the warmer exists).
     */
    void addWarmerRow() {
        this.warmerRuns = graph("Cache warmer: runs per hour (AWS/States executions)", FULL, "Runs", List.of());
        row("Warmer", "The cache warmer's runs: an image that failed or was deferred is not cached yet, and its "
                + "first pull from the VPC may fail. A failed image is a failed iteration of its run's Map state: "
                + "open the warmer's state machine, the execution, then its map run, for the image and why.",
                graph("Cache warmer: images per hour", HALF, "Images", List.of(
                        metric("ImagesWarmed", "Sum", Unit.COUNT, "warmed"),
                        metric("ImagesFailed", "Sum", Unit.COUNT, "failed"),
                        metric("ImagesDeferred", "Sum", Unit.COUNT, "deferred"))),
                graph("Cache warmer: bytes pulled per hour", HALF, "Bytes", List.of(
                        metric("BytesWarmed", "Sum", Unit.BYTES, "bytes pulled"))),
                warmerRuns);
    }

    /**
     * The warmer's executions by outcome (AWS/States, dimension StateMachineArn:
     * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html): a failed run is one that
     * answered FAILED (failOnError), one that timed out or was stopped.
     */
    void addWarmerRuns(StateMachine machine) {
        warmerRuns.addLeftMetric(machine.metricSucceeded(MetricOptions.builder().period(HOUR).label("succeeded").build()));
        warmerRuns.addLeftMetric(machine.metricFailed(MetricOptions.builder().period(HOUR).label("failed").build()));
        warmerRuns.addLeftMetric(machine.metricTimedOut(MetricOptions.builder().period(HOUR).label("timed out").build()));
        warmerRuns.addLeftMetric(machine.metricAborted(MetricOptions.builder().period(HOUR).label("aborted").build()));
    }

    /** The evictor's outcome: images and repositories deleted, and the bytes freed. */
    void addEvictorRow() {
        row("Eviction", "The images the evictor deleted because nobody pulled them for the configured time, and "
                + "the storage freed.",
                graph("Evictor: images and repositories deleted per hour", HALF, "Deleted", List.of(
                        metric("ImagesEvicted", "Sum", Unit.COUNT, "images"),
                        metric("RepositoriesDeleted", "Sum", Unit.COUNT, "empty repositories"))),
                graph("Evictor: bytes freed per hour", HALF, "Bytes", List.of(
                        metric("BytesFreed", "Sum", Unit.BYTES, "bytes freed"))));
    }

    /** Each checked rule's credential: 1 works, 0 does not. */
    void addCredentialRow(CredentialCheck check) {
        GraphWidget validity = GraphWidget.Builder.create()
                .title("Upstream credentials: 1 works, 0 does not (ECR ValidatePullThroughCacheRule, hourly)")
                .width(FULL)
                .height(HEIGHT)
                .leftYAxis(YAxisProps.builder().label("Valid").min(0).max(1).showUnits(false).build())
                .leftAnnotations(List.of(HorizontalAnnotation.builder().value(1).label("works").build()))
                .build();
        check.onMetric(validity::addLeftMetric);
        row("Credentials", "A rule at 0 fails its first pulls: put a working token into its secret. The alarms of "
                + check.getNode().getPath() + " go off after two hours at 0.", validity);
    }

    /** The bytes through the temporary NAT gateway: once they stay at 0, the gateway can go. */
    void addNatRow(TemporaryNatGateway nat) {
        Map<String, String> gateway = Map.of("NatGatewayId", nat.getNatGatewayId());
        row("Temporary NAT gateway", "Bytes through the temporary NAT gateway (AWS/NATGateway). Once they stay at 0, "
                + "every image is cached: deploy with temporaryNat(false) and the gateway, billed by the hour, goes.",
                graph("Temporary NAT gateway: bytes per hour", FULL, "Bytes", List.of(
                        natMetric("BytesOutToDestination", gateway, "out to the internet"),
                        natMetric("BytesInFromDestination", gateway, "in from the internet"))));
    }

    /** @return the dashboard */
    Dashboard getDashboard() {
        return dashboard;
    }

    private void row(String concern, String explanation, IWidget... widgets) {
        dashboard.addWidgets(TextWidget.Builder.create().markdown("### " + concern + "\n" + explanation)
                .width(FULL).height(2).build());
        dashboard.addWidgets(widgets);
    }

    private static GraphWidget graph(String title, int width, String axis, List<? extends IMetric> metrics) {
        return GraphWidget.Builder.create()
                .title(title)
                .width(width)
                .height(HEIGHT)
                .left(metrics)
                .leftYAxis(YAxisProps.builder().label(axis).min(0).build())
                .build();
    }

    private Metric metric(String name, String statistic, Unit unit, String label) {
        return CacheMetrics.metric(cacheName, name, statistic, unit, label, Map.of());
    }

    // AWS/NATGateway metrics: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway-cloudwatch.html
    private static Metric natMetric(String name, Map<String, String> dimensions, String label) {
        return Metric.Builder.create()
                .namespace("AWS/NATGateway")
                .metricName(name)
                .dimensionsMap(dimensions)
                .statistic("Sum")
                .unit(Unit.BYTES)
                .label(label)
                .period(HOUR)
                .build();
    }
}
