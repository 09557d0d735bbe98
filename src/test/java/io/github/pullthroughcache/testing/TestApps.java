package io.github.pullthroughcache.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Validations;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NIST80053R5Checks;
import io.github.cdklabs.cdknag.NagPackProps;

/** Apps for tests, configured as {@code cdk synth} configures the examples app: with cdk.json's context. */
public final class TestApps {

    /** A concrete environment for tests that need a known account and region. */
    public static final Environment ENV = Environment.builder().account("111111111111").region("eu-west-1").build();

    private static final Map<String, Object> CDK_JSON_CONTEXT = readCdkJsonContext();
    /** The output folders of the apps made here, removed when the JVM exits: a test leaves nothing in the temp folder. */
    private static final Set<Path> OUTDIRS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OUTDIRS.forEach(TestApps::remove), "remove-cdk-test-dirs"));
    }

    private TestApps() {
    }

    /** @return the project's root folder (where pom.xml and cdk.json are) */
    public static Path projectRoot() {
        String root = System.getProperty("project.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    }

    /**
     * An app with cdk.json's context, so that CloudFormation validation findings fail synthesis
     * ({@code @aws-cdk/core:validateAgainstDefaultRules}) as they do under the CLI.
     *
     * @return a new app writing to a fresh temporary folder
     */
    public static App newApp() {
        return newApp(Map.of());
    }

    /**
     * An app with cdk.json's context and more, as {@code cdk synth -c key=value} makes it.
     *
     * @param context the context values to add (a value from {@code -c} is a string)
     * @return a new app writing to a fresh temporary folder
     */
    public static App newApp(Map<String, Object> context) {
        Map<String, Object> all = new java.util.HashMap<>(CDK_JSON_CONTEXT);
        all.putAll(context);
        return App.Builder.create().context(all).outdir(newOutdir().toString()).build();
    }

    /**
     * An app with no context at all, as {@code new App()} makes it, but writing to a folder that is removed when the
     * JVM exits ({@code new App()} would leave a {@code cdk.out*} folder in the temp folder).
     *
     * @return a new app writing to a fresh temporary folder
     */
    public static App bareApp() {
        return App.Builder.create().outdir(newOutdir().toString()).build();
    }

    /**
     * Removes an app's output folder now, rather than when the JVM exits.
     *
     * @param app an app from this class
     */
    public static void removeOutdir(App app) {
        Path outdir = Path.of(app.getOutdir());
        if (OUTDIRS.remove(outdir)) {
            remove(outdir);
        }
    }

    private static Path newOutdir() {
        try {
            Path outdir = Files.createTempDirectory("cdk-test-");
            OUTDIRS.add(outdir);
            return outdir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void remove(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            // children before their folder
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // gone already, or in use: nothing more to do at exit
        }
    }

    /**
     * Adds cdk-nag's AwsSolutions and NIST 800-53 R5 packs; any unacknowledged finding then fails
     * {@link Synth#of(App)}.
     *
     * @param app the app
     * @return the app
     */
    public static App withNagPacks(App app) {
        Validations.of(app).addPlugins(
                new AwsSolutionsChecks(app, NagPackProps.builder().verbose(true).build()),
                new NIST80053R5Checks(app, NagPackProps.builder().verbose(true).build()));
        return app;
    }

    /**
     * Runs work with standard error going to a buffer: for a test that expects the CDK (through jsii) to print
     * findings, so that a passing build prints no ERROR line.
     *
     * @param work what prints
     * @return what it printed on standard error
     */
    public static String capturingStandardError(Runnable work) {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            work.run();
            // jsii hands the node process's console output over on a thread of its own: wait until it is quiet
            long quietSince = System.nanoTime();
            int size = buffer.size();
            long limit = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() - quietSince < java.time.Duration.ofMillis(500).toNanos() && System.nanoTime() < limit) {
                Thread.sleep(50);
                if (buffer.size() != size) {
                    size = buffer.size();
                    quietSince = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Map<String, Object> readCdkJsonContext() {
        try {
            Map<String, Object> cdkJson = new ObjectMapper().readValue(projectRoot().resolve("cdk.json").toFile(),
                    new TypeReference<Map<String, Object>>() { });
            @SuppressWarnings("unchecked")
            Map<String, Object> context = (Map<String, Object>) cdkJson.get("context");
            return Map.copyOf(context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
