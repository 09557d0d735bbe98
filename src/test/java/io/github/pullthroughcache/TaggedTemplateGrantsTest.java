package io.github.pullthroughcache;

import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerProps;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/**
 * ECR creates a first pull's repository as the puller, and tags it as the puller too: whoever may pull under a
 * template with resource tags needs {@code ecr:TagResource} from an identity policy, for those tag keys.
 */
class TaggedTemplateGrantsTest {

    private static final String QUAY = "arn:aws:ecr:eu-west-1:111111111111:repository/quay/*";
    private static final Map<String, Object> TAG_RESOURCE = Map.of("Effect", "Allow", "Action", "ecr:TagResource",
            "Resource", QUAY, "Condition", Map.of("ForAllValues:StringEquals", Map.of("aws:TagKeys",
                    Match.arrayEquals(List.of("cost-center", "team")))));

    private static Stack stack() {
        return new Stack(TestApps.newApp(), "S", StackProps.builder().env(TestApps.ENV).build());
    }

    private static Role role(Stack stack, String id) {
        return Role.Builder.create(stack, id).assumedBy(new ServicePrincipal("ecs-tasks.amazonaws.com")).build();
    }

    private static CreationTemplateOptions tagged() {
        return CreationTemplateOptions.builder().resourceTags(Map.of("team", "platform", "cost-center", "42")).build();
    }

    @Test
    void aPullerOfATaggedTemplateMayTagWithItsKeysOnly() {
        Stack stack = stack();
        Role puller = role(stack, "Puller");
        new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY))
                .creationTemplate(tagged())
                .pullers(List.of(puller))
                .build());

        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Policy", Map.of("Roles", List.of(
                Map.of("Ref", stack.resolve(puller.getNode().getDefaultChild() instanceof software.amazon.awscdk.CfnElement e
                        ? e.getLogicalId() : null))),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(TAG_RESOURCE))))));
    }

    @Test
    void aGrantMadeBeforeTheTaggedTemplateGetsTaggingOnceTheTemplateIsAdded() {
        Stack stack = stack();
        Role early = role(stack, "Early");
        PullThroughCacheRule rule = new PullThroughCacheRule(stack, "Quay", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.QUAY).build());
        rule.grantPull(early);
        rule.addCreationTemplate(tagged());

        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(TAG_RESOURCE))))));
    }

    @Test
    void withoutTagsNoTaggingIsGranted() {
        Stack stack = stack();
        PullThroughCacheRule rule = new PullThroughCacheRule(stack, "Quay", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.QUAY).build());
        rule.addCreationTemplate(CreationTemplateOptions.builder().build());
        rule.grantPull(role(stack, "Puller"));

        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
                Match.not(Match.arrayWith(List.of(Match.objectLike(Map.of("Action", "ecr:TagResource"))))))));
    }

    @Test
    void theWarmerMayTagWhatItsFirstPullsCreateUnderATaggedTemplate() {
        Stack stack = stack();
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.QUAY)).creationTemplate(tagged()).build());
        new CacheWarmer(stack, "Warmer", CacheWarmerProps.builder().cache(cache)
                .images(List.of("quay.io/prometheus/prometheus:v3.0.0")).build());

        Template.fromStack(stack).hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of("Sid", "TagOnCreate",
                        "Action", "ecr:TagResource", "Resource", QUAY, "Condition", TAG_RESOURCE.get("Condition"))))))));
    }
}
