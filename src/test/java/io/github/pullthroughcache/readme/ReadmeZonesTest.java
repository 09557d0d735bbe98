package io.github.pullthroughcache.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cloud_assembly_schema.MissingContext;

/** The README's way to a stack of a fixed account that synthesizes with no lookup, in an app with no context. */
class ReadmeZonesTest {

    @Test
    void theOverrideAndTheCacheVpcFragmentsAskTheCliForNothing() {
        App app = new App();
        new ReadmeFragments.ZonesAtDeploy(app, "Zones", StackProps.builder().env(ReadmeFragments.ENV).build());

        List<MissingContext> missing = app.synth().getManifest().getMissing();
        assertThat(missing == null ? List.of() : missing).isEmpty();
    }
}
