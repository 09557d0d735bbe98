package io.github.pullthroughcache.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.IConstruct;

/** The credential alarms take any CloudWatch alarm action, as aws-cdk's {@code Alarm.addAlarmAction} does. */
class CredentialAlarmActionsTest {

    private static final String ARN = "arn:aws:sns:eu-west-1:111111111111:";

    private static Stack stack() {
        return new Stack(TestApps.newApp(), "Actions", StackProps.builder().env(TestApps.ENV).build());
    }

    private static UpstreamRegistry dockerHub(Stack stack) {
        return UpstreamRegistry.dockerHub(Secret.fromSecretNameV2(stack, "Hub", "ecr-pullthroughcache/docker-hub"));
    }

    private static ITopic topic(Stack stack, String name) {
        return Topic.fromTopicArn(stack, name, ARN + name);
    }

    /** The rules acknowledged on a construct, with their reasons (cdk-nag reads them from its metadata). */
    private static String acknowledgements(IConstruct construct) {
        return construct.getNode().getMetadata().stream().map(entry -> entry.getType() + "=" + entry.getData()).toList()
                .toString();
    }

    @Test
    void theCacheAlarmsTakeTheTopicAndTheActionsGivenWhenTheyGoOffAndWhenTheyClear() {
        Stack stack = stack();
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(dockerHub(stack)))
                .alarmTopic(topic(stack, "mail"))
                .alarmActions(List.of(new SnsAction(topic(stack, "pager"))))
                .okActions(List.of(new SnsAction(topic(stack, "resolved"))))
                .build());

        Template template = Template.fromStack(stack);
        template.resourceCountIs("AWS::CloudWatch::Alarm", 1);
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmActions", List.of(ARN + "mail", ARN + "pager"),
                "OKActions", List.of(ARN + "mail", ARN + "resolved")));
        assertThat(acknowledgements(cache.getCredentialCheck().getAlarms().get("docker-hub")))
                .as("an alarm with an action needs no acknowledgement").doesNotContain("CloudWatchAlarmAction");
    }

    @Test
    void aCredentialCheckOfItsOwnTakesActionsWithoutATopic() {
        Stack stack = stack();
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(dockerHub(stack))).validateCredentials(false).build());
        new CredentialCheck(stack, "Check", CredentialCheckProps.builder().cache(cache)
                .alarmActions(List.of(new SnsAction(topic(stack, "pager")))).build());

        Template template = Template.fromStack(stack);
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of("AlarmActions", List.of(ARN + "pager"),
                "OKActions", Match.absent()));
    }

    @Test
    void anAlarmWithoutActionIsAcknowledgedWithItsReason() {
        Stack stack = stack();
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(dockerHub(stack))).build());

        Template template = Template.fromStack(stack);
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of("AlarmActions", Match.absent()));
        assertThat(acknowledgements(cache.getCredentialCheck().getAlarms().get("docker-hub")))
                .contains("NIST.800.53.R5-CloudWatchAlarmAction", "PullThroughCacheProps.alarmTopic or alarmActions");
    }

    @Test
    void actionsGivenWithoutTheCredentialCheckAreNamedInAWarningWithItsSwitch() {
        Stack stack = stack();
        new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(dockerHub(stack)))
                .validateCredentials(false)
                .alarmActions(List.of(new SnsAction(topic(stack, "pager"))))
                .okActions(List.of(new SnsAction(topic(stack, "resolved"))))
                .build());

        Annotations annotations = Annotations.fromStack(stack);
        for (String option : List.of("alarmActions", "okActions")) {
            annotations.hasWarning("/Actions/Cache", Match.stringLikeRegexp("PullThroughCacheProps." + option
                    + " is given but its feature is off.*validateCredentials\\(true\\).*"));
        }
        assertThat(annotations.findWarning("/Actions/Cache", Match.stringLikeRegexp(".*alarmTopic.*"))).isEmpty();
        Template.fromStack(stack).resourceCountIs("AWS::CloudWatch::Alarm", 0);
    }
}
