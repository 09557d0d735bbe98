package io.github.pullthroughcache.benchmark;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.examples.QuickStartExample;
import io.github.pullthroughcache.testing.TestApps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awscdk.App;

/**
 * What the library costs at synthesis: the quick start against {@link HandWrittenQuickStart}, the same resources
 * written with aws-cdk-lib alone. Both run in one JVM (one jsii kernel), alternating, after a warm-up, each
 * in a fresh app with cdk.json's context, as {@code cdk synth} runs them. Prints the medians and their ratio.
 *
 * <p>{@code mvn -Pbenchmark test-compile exec:java [-Dbenchmark.rounds=30]}
 */
public final class SynthesisBenchmark {

    private SynthesisBenchmark() {
    }

    /**
     * @param args unused
     */
    public static void main(String[] args) {
        int rounds = Integer.getInteger("benchmark.rounds", 30);
        int warmUp = Integer.getInteger("benchmark.warmUp", 5);
        Consumer<App> library = app -> QuickStartExample.create(app, "QuickStart");
        Consumer<App> handWritten = app -> new HandWrittenQuickStart(app, "QuickStart");
        for (int i = 0; i < warmUp; i++) {
            time(library);
            time(handWritten);
        }
        List<Long> libraryTimes = new ArrayList<>();
        List<Long> handWrittenTimes = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            // alternate which goes first, so that neither always follows the other's garbage
            if (i % 2 == 0) {
                libraryTimes.add(time(library));
                handWrittenTimes.add(time(handWritten));
            } else {
                handWrittenTimes.add(time(handWritten));
                libraryTimes.add(time(library));
            }
        }
        double libraryMs = median(libraryTimes) / 1e6;
        double handWrittenMs = median(handWrittenTimes) / 1e6;
        System.out.printf("rounds %d (after %d warm-up)%n", rounds, warmUp);
        System.out.printf("library (PullThroughCacheStack quick start): median %.1f ms%n", libraryMs);
        System.out.printf("hand-written aws-cdk-lib:                    median %.1f ms%n", handWrittenMs);
        System.out.printf("ratio library / hand-written: %.3f%n", libraryMs / handWrittenMs);
    }

    private static long time(Consumer<App> build) {
        long start = System.nanoTime();
        App app = TestApps.newApp();
        build.accept(app);
        app.synth();
        return System.nanoTime() - start;
    }

    private static double median(List<Long> times) {
        List<Long> sorted = new ArrayList<>(times);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }
}
