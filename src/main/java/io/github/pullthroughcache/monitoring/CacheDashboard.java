package io.github.pullthroughcache.monitoring;

import io.github.pullthroughcache.network.TemporaryNatGateway;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
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
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.Unit;
import software.amazon.awscdk.services.cloudwatch.YAxisProps;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The rows of a cache's CloudWatch dashboard, one per concern, each headed by a line that says what to look for:
 * pulls per cached repository; the warmer's outcome; the copier's; the evictor's; the upstream credentials; the temporary NAT
 * gateway's bytes. A row exists only for what the cache has. The pulls of every prefix the cache serves (its rules
 * and copied registries, those added later too) join the pulls row.
 */
public final class CacheDashboard {

    private static final int FULL = 24;
    private static final int HALF = 12;
    private static final int HEIGHT = 6;
    private static final Duration HOUR = Duration.hours(1);

    private final Dashboard dashboard;
    private final String cacheName;
    private final GraphWidget pulls;

    /**
     * Creates the dashboard (child {@code Dashboard} of the scope) with its pulls row.
     *
     * @param scope the parent, such as the cache
     * @param cache what the cache serves
     */
    public CacheDashboard(Construct scope, ICacheModel cache) {
        this.cacheName = CacheMetrics.cacheName(cache);
        this.dashboard = Dashboard.Builder.create(scope, "Dashboard")
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
        cache.forEachServed(this::addPulls);
    }

    /** Adds the repositories of a rule or copied registry to the pulls graph. */
    private void addPulls(IPullThroughCacheRule rule) {
        pulls.addLeftMetric(CacheMetrics.pulls(rule.getRepositoryPrefix()));
    }

    /**
     * The warmer's outcome: images warmed, failed and deferred per hour, the bytes it pulled, and its runs: the
     * executions of its state machine by outcome (AWS/States, dimension StateMachineArn:
     * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html). A failed run is one that
     * answered FAILED (failOnError), timed out or was stopped.
     *
     * @param runs the warmer's state machine
     */
    public void addWarmerRow(IStateMachine runs) {
        row("Warmer", "The cache warmer's runs: an image that failed or was deferred is not cached yet, and its "
                + "first pull from the VPC may fail. A failed image is a failed iteration of its run's Map state: "
                + "open the warmer's state machine, the execution, then its map run, for the image and why.",
                graph("Cache warmer: images per hour", HALF, "Images", List.of(
                        metric("ImagesWarmed", "Sum", Unit.COUNT, "warmed"),
                        metric("ImagesFailed", "Sum", Unit.COUNT, "failed"),
                        metric("ImagesDeferred", "Sum", Unit.COUNT, "deferred"))),
                graph("Cache warmer: bytes pulled per hour", HALF, "Bytes", List.of(
                        metric("BytesWarmed", "Sum", Unit.BYTES, "bytes pulled"))),
                runsGraph("Cache warmer", runs));
    }

    /** A run's executions by outcome, per hour. */
    private GraphWidget runsGraph(String what, IStateMachine runs) {
        return graph(what + ": runs per hour (AWS/States executions)", FULL, "Runs", List.of(
                runs.metricSucceeded(MetricOptions.builder().period(HOUR).label("succeeded").build()),
                runs.metricFailed(MetricOptions.builder().period(HOUR).label("failed").build()),
                runs.metricTimedOut(MetricOptions.builder().period(HOUR).label("timed out").build()),
                runs.metricAborted(MetricOptions.builder().period(HOUR).label("aborted").build())));
    }

    /**
     * The copier's outcome: images copied and failed per hour, the bytes it uploaded, and its runs by outcome.
     *
     * @param runs the copier's state machine
     */
    public void addCopierRow(IStateMachine runs) {
        row("Copier", "The image copier's runs: an image that failed is not in the registry yet, and its first pull "
                + "from the VPC fails. A failed image is a failed iteration of its run's Map state: open the copier's "
                + "state machine, the execution, then its map run, for the image and why.",
                graph("Image copier: images per hour", HALF, "Images", List.of(
                        metric("ImagesCopied", "Sum", Unit.COUNT, "copied"),
                        metric("CopiesFailed", "Sum", Unit.COUNT, "failed"))),
                graph("Image copier: bytes uploaded per hour", HALF, "Bytes", List.of(
                        metric("BytesCopied", "Sum", Unit.BYTES, "bytes uploaded"))),
                runsGraph("Image copier", runs));
    }

    /** The evictor's outcome: images and repositories deleted, and the bytes freed. */
    public void addEvictorRow() {
        row("Eviction", "The images the evictor deleted because nobody pulled them for the configured time, and "
                + "the storage freed.",
                graph("Evictor: images and repositories deleted per hour", HALF, "Deleted", List.of(
                        metric("ImagesEvicted", "Sum", Unit.COUNT, "images"),
                        metric("RepositoriesDeleted", "Sum", Unit.COUNT, "empty repositories"))),
                graph("Evictor: bytes freed per hour", HALF, "Bytes", List.of(
                        metric("BytesFreed", "Sum", Unit.BYTES, "bytes freed"))));
    }

    /**
     * Each checked rule's credential: 1 works, 0 does not.
     *
     * @param check the credential check, whose alarms the row names
     * @return the graph, to which each rule's metric is added
     */
    public GraphWidget addCredentialRow(IConstruct check) {
        GraphWidget validity = GraphWidget.Builder.create()
                .title("Upstream credentials: 1 works, 0 does not (ECR ValidatePullThroughCacheRule, hourly)")
                .width(FULL)
                .height(HEIGHT)
                .leftYAxis(YAxisProps.builder().label("Valid").min(0).max(1).showUnits(false).build())
                .leftAnnotations(List.of(HorizontalAnnotation.builder().value(1).label("works").build()))
                .build();
        row("Credentials", "A rule at 0 fails its first pulls: put a working token into its secret. The alarms of "
                + check.getNode().getPath() + " go off after two hours at 0.", validity);
        return validity;
    }

    /** The bytes through the temporary NAT gateway: once they stay at 0, the gateway can go. */
    public void addNatRow(TemporaryNatGateway nat) {
        Map<String, String> gateway = Map.of("NatGatewayId", nat.getNatGatewayId());
        row("Temporary NAT gateway", "Bytes through the temporary NAT gateway (AWS/NATGateway). Once they stay at 0, "
                + "every image is cached: deploy with temporaryNat(false) and the gateway, billed by the hour, goes.",
                graph("Temporary NAT gateway: bytes per hour", FULL, "Bytes", List.of(
                        natMetric("BytesOutToDestination", gateway, "out to the internet"),
                        natMetric("BytesInFromDestination", gateway, "in from the internet"))));
    }

    /** @return the dashboard */
    public Dashboard getDashboard() {
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
