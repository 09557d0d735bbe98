package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;

/**
 * The examples app synthesized once per test JVM, as {@code cdk synth} runs it with no {@code -c}: cdk.json's
 * context, no environment, and cdk-nag's packs. {@link ExamplesTest} reads it, and so does the README's test for
 * its commands that give no context; nobody changes it.
 */
public final class ExamplesSynthesis {

    private static List<Stack> stacks;
    private static Synth synth;

    private ExamplesSynthesis() {
    }

    private static synchronized void synthesize() {
        if (synth == null) {
            App app = TestApps.newApp();
            stacks = ExamplesApp.build(app, null);
            // cdk-nag 3 reports through aws-cdk-lib's validation: any unacknowledged finding fails Synth.of
            synth = Synth.of(TestApps.withNagPacks(app));
        }
    }

    /** @return the example stacks, in the order the app adds them */
    public static List<Stack> stacks() {
        synthesize();
        return stacks;
    }

    /** @return their one synthesis */
    public static Synth synth() {
        synthesize();
        return synth;
    }
}
