package io.github.pullthroughcache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.pullthroughcache.testing.NamespacedScript;
import io.github.pullthroughcache.testing.TestApps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image copier's handler between two real registries, CNCF distribution with TLS from a test CA and htpasswd, on
 * loopback in a network and mount namespace of the test's own ({@code copy-between-registries.sh}): four images of a
 * password-protected upstream at ImageConcurrency 4, one of them an index of two platforms with a cosign signature
 * under cosign's tag, pushed through the registry API into a second registry that stands for ECR (its URL and Basic
 * credential given by ECR's GetAuthorizationToken, faked). Every manifest must arrive with the upstream's bytes.
 *
 * <p>Needs root and Debian's {@code docker-registry apache2-utils openssl iproute2}: run by
 * {@code mvn -B -Pcontainerd-it test}; left out of a plain {@code mvn verify}. It fails, never skips, when something
 * is missing.
 */
@Tag("containerd")
class ImageCopierRegistryTest {

    private static final String PASSWORD = "upstream-" + Long.toHexString(System.nanoTime());

    private static Path work;
    private static List<String> output;

    @BeforeAll
    static void copyBetweenTwoRegistries() throws Exception {
        work = Files.createTempDirectory("copier-registries-");
        output = NamespacedScript.run("copy-between-registries.sh", work.resolve("driver.log"), 5, "copier",
                work.toString(), TestApps.projectRoot().toString(), PASSWORD);
    }

    @AfterAll
    static void removeTheWorkDirectory() throws IOException {
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static List<String[]> lines(String kind) {
        return output.stream().filter(line -> line.startsWith(kind + " ")).map(line -> line.split(" ")).toList();
    }

    @Test
    void everyImageOfThePasswordProtectedUpstreamIsCopiedAtImageConcurrencyFour() throws IOException {
        JsonNode report = new ObjectMapper().readTree(output.stream().filter(line -> line.startsWith("REPORT "))
                .findFirst().orElseThrow().substring("REPORT ".length()));
        assertThat(report).hasSize(4);
        report.forEach(entry -> assertThat(entry.path("status").asText()).as(entry.toString()).isEqualTo("copied"));
        assertThat(report.get(0).path("manifests").asInt()).isEqualTo(3);
    }

    @Test
    void everyManifestHasTheUpstreamsBytesAndDigest() {
        List<String[]> manifests = lines("MANIFEST");
        // the index and its two platforms, the signature, and three single-platform images
        assertThat(manifests).hasSize(7);
        for (String[] manifest : manifests) {
            // MANIFEST <repository> <reference> <source digest> <target digest> <bytes equal>
            assertThat(manifest[3]).matches("sha256:[0-9a-f]{64}");
            assertThat(manifest[4]).as("%s %s: the copy's digest", manifest[1], manifest[2]).isEqualTo(manifest[3]);
            assertThat(manifest[5]).as("%s %s: the copy has the upstream's bytes", manifest[1], manifest[2]).isEqualTo("true");
        }
    }

    @Test
    void theCosignSignatureTravelsUnderItsTagWhereTheUpstreamHasNoReferrersApi() {
        // CNCF distribution 2.8 has no referrers API: the signature is under cosign's tag sha256-<hex>.sig
        assertThat(lines("REFERRERS_API")).singleElement().satisfies(line -> assertThat(line[1]).isEqualTo("absent"));
        String[] signature = lines("MANIFEST").stream().filter(line -> line[2].endsWith(".sig")).findFirst().orElseThrow();
        String index = lines("MANIFEST").stream().filter(line -> line[1].equals("team/multi") && line[2].equals("v1"))
                .findFirst().orElseThrow()[3];
        assertThat(signature[2]).isEqualTo("sha256-" + index.substring("sha256:".length()) + ".sig");
        assertThat(signature[4]).isEqualTo(signature[3]);
        assertThat(signature[5]).isEqualTo("true");
    }
}
