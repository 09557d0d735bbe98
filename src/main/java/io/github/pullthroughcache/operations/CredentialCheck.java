package io.github.pullthroughcache.operations;

import io.github.pullthroughcache.monitoring.CacheMetrics;
import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.HandlerSchedule;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.Unit;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.scheduler.ScheduleExpression;
import software.constructs.Construct;

/**
 * Watches the upstream credentials of a cache: a function asks ECR to validate each rule that has a credential
 * ({@code ValidatePullThroughCacheRule}: ECR reads the Secrets Manager secret and authenticates to the upstream
 * with it), at deployment and every hour, and publishes {@code CredentialValid} (1 or 0; namespace
 * {@code PullThroughCache}, dimensions {@code Cache} and {@code Rule}). An alarm per rule goes off when the
 * credential has not worked, or has not been checked, for two hours in a row: an expired Docker Hub token or a
 * revoked GitHub token otherwise shows only as first pulls that fail. The alarms take the actions given
 * ({@code alarmActions} when they go off, {@code okActions} when the credential works again); {@code alarmTopic} is
 * the shorthand of an SNS notification of both.
 *
 * <p>Children: {@code Handler} with {@code HandlerRole}, {@code HandlerPolicy} and {@code HandlerLogs};
 * {@code Resource} ({@code Custom::EcrCredentialCheck}, a first check at deployment, which never fails it);
 * {@code Schedule} with {@code ScheduleRole} and {@code SchedulePolicy}; {@code <Prefix>Alarm} per rule. The role
 * may call {@code ecr:ValidatePullThroughCacheRule} and nothing else.
 */
public class CredentialCheck extends Construct {

    /** How often the credentials are checked unless told otherwise; the alarms' period. */
    public static final Duration DEFAULT_INTERVAL = Duration.hours(1);

    private static final String VALIDATE_REASON = "ECR's IAM reference defines no resource type for pull through cache "
            + "rules: ecr:ValidatePullThroughCacheRule is authorized on the registry, like ecr:GetAuthorizationToken. "
            + "The role has that one action, and the function validates the cache's rules only.";

    private final ICacheModel cache;
    private final String cacheName;
    private final List<IAlarmAction> alarmActions = new ArrayList<>();
    private final List<IAlarmAction> okActions = new ArrayList<>();
    private final CustomResource resource;
    private final Function function;
    private final List<String> prefixes = new ArrayList<>();
    private final Map<String, Alarm> alarms = new LinkedHashMap<>();
    private final List<Metric> metrics = new ArrayList<>();
    private final List<Consumer<Metric>> metricListeners = new ArrayList<>();

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the cache, and where the alarms notify
     */
    public CredentialCheck(Construct scope, String id, CredentialCheckProps props) {
        super(scope, id);
        if (props.getCache() == null) {
            throw new IllegalArgumentException("CredentialCheckProps.cache is required: the cache whose credentials are checked");
        }
        this.cache = props.getCache();
        this.cacheName = CacheMetrics.cacheName(cache);
        if (props.getAlarmTopic() != null) {
            alarmActions.add(new SnsAction(props.getAlarmTopic()));
            okActions.add(new SnsAction(props.getAlarmTopic()));
        }
        alarmActions.addAll(props.getAlarmActions());
        okActions.addAll(props.getOkActions());
        HandlerFunction handler = HandlerFunction.builder(this, "credential-validator")
                .descriptions("Checks the upstream credentials of pull through cache " + cache.getNode().getPath(),
                        "Validates the cache's pull through cache rules only")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("ValidateRules")
                        .actions(List.of("ecr:ValidatePullThroughCacheRule"))
                        .resources(List.of("*"))
                        .build()))
                .wildcards(VALIDATE_REASON, List.of("*"))
                .logRetention(props.getLogRetention())
                .reasons("The check runs when CloudFormation deploys it and on its schedule, one run at a time.",
                        "A run that fails publishes no value, which the alarms count as a credential that does not work.",
                        "The log holds each rule's prefix and ECR's reason for a failure, never a credential.")
                .create();
        this.function = handler.function();
        function.addEnvironment(CacheMetrics.ENVIRONMENT, cacheName);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("Prefixes", Lazy.list(() -> List.copyOf(prefixes)));
        Map<String, Object> properties = new LinkedHashMap<>(input);
        properties.put("Owner", ConstructIds.owner(this));
        this.resource = CustomResource.Builder.create(this, "Resource")
                .serviceToken(function.getFunctionArn())
                .resourceType("Custom::EcrCredentialCheck")
                .properties(properties)
                .build();
        ScheduleExpression expression = props.getSchedule() != null ? props.getSchedule()
                : ScheduleExpression.rate(DEFAULT_INTERVAL);
        HandlerSchedule.create(this, function, expression, input,
                "Checks the upstream credentials of " + cache.getNode().getPath());
        // every rule of the cache, those added after this construct too
        cache.forEachServed(this::cover);
    }

    /**
     * Checks a rule too, when it has a credential: an alarm of its own, and its metric. A copied registry is no rule
     * that ECR could validate: the copier's failures tell of its credential.
     */
    private void cover(IPullThroughCacheRule rule) {
        if (rule.getUpstream().isCopied() || rule.getUpstream().getCredential() == null) {
            return;
        }
        String prefix = rule.getRepositoryPrefix();
        prefixes.add(prefix);
        resource.getNode().addDependency(rule);
        Metric metric = CacheMetrics.metric(cacheName, "CredentialValid", "Minimum", Unit.COUNT,
                "'" + prefix + "' (" + rule.getUpstream().getDisplayName() + ")", Map.of("Rule", prefix));
        Alarm alarm = Alarm.Builder.create(this, ConstructIds.pascalCase(prefix) + "Alarm")
                // without the graph's label: a labelled metric makes the alarm a metric math one
                .metric(CacheMetrics.metric(cacheName, "CredentialValid", "Minimum", Unit.COUNT, null, Map.of("Rule", prefix)))
                .alarmDescription("The upstream credential of pull through cache rule '" + prefix + "' ("
                        + rule.getUpstream().getDisplayName() + ") of " + cache.getNode().getPath() + " did not work, "
                        + "or was not checked, for two hours: first pulls through it fail. Put a working token into "
                        + "its Secrets Manager secret; the log of " + function.getNode().getPath() + " has ECR's reason.")
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .threshold(1)
                .evaluationPeriods(2)
                .datapointsToAlarm(2)
                // a check that stopped running is as bad as a credential that stopped working
                .treatMissingData(TreatMissingData.BREACHING)
                .build();
        alarm.addAlarmAction(alarmActions.toArray(IAlarmAction[]::new));
        alarm.addOkAction(okActions.toArray(IAlarmAction[]::new));
        if (alarmActions.isEmpty()) {
            NagAcknowledgements.acknowledge(alarm, "NIST.800.53.R5-CloudWatchAlarmAction", "No alarm action was given "
                    + "(PullThroughCacheProps.alarmTopic or alarmActions): the alarm is seen on the console and the "
                    + "cache's dashboard.");
        }
        alarms.put(prefix, alarm);
        metrics.add(metric);
        metricListeners.forEach(listener -> listener.accept(metric));
    }

    /** Calls the listener with each rule's metric, those of rules checked later too. */
    public void onMetric(Consumer<Metric> listener) {
        metrics.forEach(listener);
        metricListeners.add(listener);
    }

    /** @return the alarm of each rule checked, by prefix */
    public Map<String, Alarm> getAlarms() {
        return Collections.unmodifiableMap(alarms);
    }

    /** @return the function that validates the rules */
    public Function getFunction() {
        return function;
    }

    /** @return the custom resource of the check at deployment */
    public CustomResource getResource() {
        return resource;
    }
}
