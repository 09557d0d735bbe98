package io.github.pullthroughcache.benchmark;

import java.io.IOException;

/**
 * Every benchmark, one after another: {@link SynthesisBenchmark}, then the cache warmer's
 * ({@code src/benchmark/js/cache-warmer-benchmark.js}, the handler against the loopback fakes with the blob host's
 * link throttled). Each prints its own figures.
 *
 * <p>{@code mvn -Pbenchmark test-compile exec:java}
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * @param args passed to {@link SynthesisBenchmark}
     * @throws IOException when node cannot be started
     * @throws InterruptedException when interrupted while the warmer's benchmark runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        SynthesisBenchmark.main(args);
        Process warmer = new ProcessBuilder("node", "src/benchmark/js/cache-warmer-benchmark.js").inheritIO().start();
        int status = warmer.waitFor();
        if (status != 0) {
            throw new IllegalStateException("The cache warmer's benchmark failed with exit status " + status);
        }
    }
}
