package io.github.pullthroughcache.benchmark;

import java.io.IOException;

/**
 * Every benchmark, one after another: {@link SynthesisBenchmark}, then the cache warmer's
 * ({@code src/benchmark/js/cache-warmer-benchmark.js}, the handler against the loopback fakes with the blob host's
 * link throttled), then the image copier's ({@code src/benchmark/js/image-copier-benchmark.js}: throughput on a
 * throttled link; the copier beside {@code skopeo copy --all} from the same CNCF distribution registry into another
 * one in the same run, alternating, or a line saying that skopeo or docker-registry is absent; and the peak memory of
 * a 2 GB layer's copy). Each prints
 * its own figures.
 *
 * <p>{@code mvn -Pbenchmark test-compile exec:java}
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /**
     * @param args passed to {@link SynthesisBenchmark}
     * @throws IOException when node cannot be started
     * @throws InterruptedException when interrupted while a handler's benchmark runs
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        SynthesisBenchmark.main(args);
        runNode("cache warmer", "src/benchmark/js/cache-warmer-benchmark.js");
        runNode("image copier", "src/benchmark/js/image-copier-benchmark.js");
    }

    private static void runNode(String what, String script) throws IOException, InterruptedException {
        Process benchmark = new ProcessBuilder("node", script).inheritIO().start();
        int status = benchmark.waitFor();
        if (status != 0) {
            throw new IllegalStateException("The " + what + "'s benchmark failed with exit status " + status);
        }
    }
}
