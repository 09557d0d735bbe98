package io.github.pullthroughcache;

import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * A shared cache's outputs are found by the names the README gives, {@code <cache id>SharedRegistry} and
 * {@code <cache id>SharedPrefixes}, and two shared caches of one stack keep theirs apart.
 */
class SharedOutputsTest {

    @Test
    void theOutputsAreNamedAfterTheCacheAndHoldWhatAConsumerImports() {
        App app = TestApps.newApp();
        Stack stack = new Stack(app, "Central", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC))
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .sharedWith(CacheConsumers.organization("o-a1b2c3d4e5"))
                .build());
        cache.addRule(PullThroughCacheRuleProps.builder().upstream(UpstreamRegistry.QUAY).repositoryPrefix("quay-io")
                .build());
        PullThroughCache other = new PullThroughCache(stack, "team-cache", PullThroughCacheProps.builder()
                .vpc(cache.getVpc()).endpoints(false)
                .upstreams(List.of(UpstreamRegistry.KUBERNETES))
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .sharedWith(CacheConsumers.organization("o-a1b2c3d4e5"))
                .build());

        Template template = Synth.of(app).template("Central");
        template.hasOutput("CacheSharedRegistry", Map.of("Value",
                Map.of("Fn::Join", List.of("", List.of("111111111111.dkr.ecr.eu-west-1.", Map.of("Ref", "AWS::URLSuffix"))))));
        // what PullThroughCacheAttributes takes: the upstreams, and quay on a prefix of its own
        template.hasOutput("CacheSharedPrefixes", Map.of("Value", "{\"ecr-public\":\"ecr-public\",\"quay-io\":\"quay\"}"));
        template.hasOutput("TeamCacheSharedRegistry", Match.anyValue());
        template.hasOutput("TeamCacheSharedPrefixes", Map.of("Value", "{\"k8s\":\"k8s\"}"));
        org.assertj.core.api.Assertions.assertThat(other.getRules()).hasSize(1);
    }
}
