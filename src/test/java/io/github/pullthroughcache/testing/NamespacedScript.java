package io.github.pullthroughcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of {@code src/test/resources} in a network and mount namespace of its own ({@code unshare}), as the
 * tests that need root and Debian's packages do (the {@code containerd-it} profile): its output in a log, a bound
 * wait, and on the way out a SIGTERM that the script passes on to the processes it started, stopping them by their
 * PIDs ({@code testing/namespace.sh}).
 */
public final class NamespacedScript {

    private NamespacedScript() {
    }

    /**
     * @param script the script, under {@code src/test/resources/io/github/pullthroughcache/}
     * @param log where its output goes
     * @param minutes how long it may run
     * @param prefix what each line of its output is printed after, for the CI log
     * @param arguments its arguments
     * @return its output's lines; fails the test when it ran over or did not exit 0
     * @throws IOException when it cannot be started or its log read
     * @throws InterruptedException when the test is interrupted
     */
    public static List<String> run(String script, Path log, int minutes, String prefix, String... arguments)
            throws IOException, InterruptedException {
        Path path = TestApps.projectRoot().resolve("src/test/resources/io/github/pullthroughcache/" + script);
        List<String> command = new ArrayList<>(List.of("unshare", "--net", "--mount", "--propagation", "private",
                "--kill-child=SIGTERM", "bash", path.toString()));
        command.addAll(List.of(arguments));
        Process driver = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!driver.waitFor(minutes, TimeUnit.MINUTES)) {
                throw new AssertionError(script + " ran over " + minutes + " minutes:\n" + Files.readString(log));
            }
        } finally {
            // unshare passes SIGTERM on to the script, which stops what it started by their PIDs
            driver.destroy();
            if (!driver.waitFor(30, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
        List<String> output = Files.readAllLines(log);
        output.forEach(line -> System.out.println("[" + prefix + "] " + line));
        assertThat(driver.exitValue()).as("%s exit status; its output:\n%s", script, String.join("\n", output)).isZero();
        return output;
    }
}
