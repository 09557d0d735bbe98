package io.github.pullthroughcache;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.stack.PullThroughCacheStackProps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.github.pullthroughcache.registry.RegistryPolicy;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** The library keeps its registry-wide state in each app's construct tree: apps in one JVM never see each other's. */
class TwoAppsTest {

    private static App appWithTheQuickStartCache() {
        App app = TestApps.newApp();
        new PullThroughCacheStack(app, "Cache", PullThroughCacheStackProps.builder()
                .env(TestApps.ENV)
                .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES))
                .build());
        return app;
    }

    @Test
    void twoAppsWithTheSameCacheInOneRegistryBothSynthesize() {
        App first = appWithTheQuickStartCache();
        App second = appWithTheQuickStartCache();

        for (App app : List.of(first, second)) {
            Synth synth = Synth.of(app);
            synth.template("Cache").resourceCountIs("AWS::ECR::PullThroughCacheRule", 3);
            synth.template("Cache").resourceCountIs("AWS::ECR::RepositoryCreationTemplate", 3);
        }
    }

    @Test
    void aRuleQuotaFilledInOneAppLeavesAnotherAppsRegistryEmpty() {
        App full = TestApps.bareApp();
        Stack fullStack = new Stack(full, "Rules", StackProps.builder().env(TestApps.ENV).build());
        for (int i = 0; i < PullThroughCacheRule.MAX_RULES_PER_REGISTRY; i++) {
            new PullThroughCacheRule(fullStack, "Rule" + i, PullThroughCacheRuleProps.builder()
                    .upstream(UpstreamRegistry.QUAY).repositoryPrefix("quay" + i).build());
        }
        Stack other = new Stack(TestApps.bareApp(), "Rules", StackProps.builder().env(TestApps.ENV).build());

        assertThatCode(() -> new PullThroughCacheRule(other, "Rule0", PullThroughCacheRuleProps.builder()
                .upstream(UpstreamRegistry.QUAY).repositoryPrefix("quay0").build())).doesNotThrowAnyException();
    }

    @Test
    void eachAppsStackHasItsOwnRegistryPolicy() {
        Stack a = new Stack(TestApps.bareApp(), "Same", StackProps.builder().env(TestApps.ENV).build());
        Stack b = new Stack(TestApps.bareApp(), "Same", StackProps.builder().env(TestApps.ENV).build());

        RegistryPolicy policyOfA = RegistryPolicy.of(a);
        assertThat(RegistryPolicy.of(a)).isSameAs(policyOfA);
        assertThat(RegistryPolicy.of(b)).isNotSameAs(policyOfA);
        assertThat(RegistryPolicy.of(b).getNode().getPath()).isEqualTo(policyOfA.getNode().getPath());
    }
}
