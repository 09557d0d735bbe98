package io.github.pullthroughcache.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.PullThroughCacheProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import io.github.pullthroughcache.testing.NamespacedScript;
import io.github.pullthroughcache.testing.RenderedText;
import io.github.pullthroughcache.testing.TestApps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * containerd pulls unchanged Docker Hub references through the files {@link RegistryMirrors} generates, from a CNCF
 * distribution registry that plays the cache's registry: TLS from a test CA, Basic auth, the image under
 * {@code docker-hub/library/<name>}, all on loopback in a network and mount namespace of the test's own
 * ({@code containerd-pull.sh}). The AL2023 user data's shell part runs unchanged and writes the hosts files that
 * containerd reads; the pulls go through CRI with the credentials as the kubelet passes them (user {@code AWS}, no
 * server address).
 *
 * <p>Needs root and Debian's {@code containerd docker-registry skopeo python3-grpcio apache2-utils openssl}: run by
 * {@code mvn -B -Pcontainerd-it test} (.ci/run installs them first); left out of a plain {@code mvn verify}. It fails,
 * never skips, when something is missing.
 */
@Tag("containerd")
class ContainerdMirrorPullTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String NAME = "hello";
    private static final String PASSWORD = "ecr-token-" + Long.toHexString(System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path work;
    private static String expectedHostsToml;
    private static String expectedCredentialProviderConfig;
    private static List<String> output;
    private static String accessLog;

    @BeforeAll
    static void pullThroughTheGeneratedMirror() throws Exception {
        Stack stack = new Stack(TestApps.newApp(), "Nodes", StackProps.builder().env(TestApps.ENV).build());
        PullThroughCache cache = new PullThroughCache(stack, "Cache", PullThroughCacheProps.builder()
                .upstreams(List.of(UpstreamRegistry.dockerHub(Secret.Builder.create(stack, "DockerHub")
                        .secretName("ecr-pullthroughcache/docker-hub").build()), UpstreamRegistry.QUAY))
                .build());
        RegistryMirrors mirrors = cache.registryMirrors();
        String userData = RenderedText.of(stack, mirrors.amazonLinux2023UserData().render());
        expectedHostsToml = RenderedText.of(stack, mirrors.hostsToml("docker.io"));
        expectedCredentialProviderConfig = RenderedText.of(stack, mirrors.credentialProviderConfig());

        work = Files.createTempDirectory("containerd-mirror-");
        Files.writeString(work.resolve("node-script.sh"), shellPart(userData));
        writeImageLayout(work.resolve("oci"), List.of("1.0", "2.0", "3.0"));

        output = NamespacedScript.run("kubernetes/containerd-pull.sh", work.resolve("driver.log"), 5, "containerd-pull",
                work.toString(), REGISTRY, "docker-hub", NAME, PASSWORD);
        accessLog = Files.readString(work.resolve("registry.log"));
        accessLogLines().forEach(line -> System.out.println("[registry] " + line));
    }

    @AfterAll
    static void removeTheWorkDirectory() throws IOException {
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** The {@code text/x-shellscript} part of the MIME user data, as cloud-init would run it. */
    private static String shellPart(String userData) {
        Matcher boundary = Pattern.compile("boundary=\"([^\"]+)\"").matcher(userData);
        assertThat(boundary.find()).isTrue();
        for (String part : userData.split(Pattern.quote("--" + boundary.group(1)))) {
            if (part.contains("Content-Type: text/x-shellscript")) {
                return part.substring(part.indexOf("\n\n") + 2);
            }
        }
        throw new AssertionError("no shell part in " + userData);
    }

    @Test
    void theNodeScriptWroteTheLibrarysFilesUnchanged() throws IOException {
        assertThat(Files.readString(work.resolve("etc/containerd/certs.d/docker.io/hosts.toml"))).isEqualTo(expectedHostsToml);
        assertThat(work.resolve("etc/containerd/certs.d/quay.io/hosts.toml")).exists();
        String config = Files.readString(work.resolve("etc/eks/image-credential-provider/pull-through-cache.json"));
        assertThat(config).isEqualTo(expectedCredentialProviderConfig);
        // the kubelet asks the provider for credentials only for images its matchImages match
        JsonNode provider = JSON.readTree(config).path("providers").path(0);
        assertThat(provider.path("matchImages").toString()).contains("\"docker.io\"");
    }

    @Test
    void theFullReferencePullsFromTheMirrorUnderTheRulesPrefix() {
        assertThat(output).anyMatch(line -> line.matches("PULLED docker\\.io/library/hello:1\\.0 sha256:[0-9a-f]{64}"));
        assertThat(accessLog).containsPattern(
                "\"(HEAD|GET) /v2/docker-hub/library/hello/manifests/1\\.0\\?ns=docker\\.io HTTP/1\\.1\" 200");
    }

    @Test
    void theShortFormPullsFromTheMirrorToo() {
        assertThat(output).anyMatch(line -> line.matches("PULLED hello:2\\.0 sha256:[0-9a-f]{64}"));
        assertThat(accessLog).containsPattern(
                "\"(HEAD|GET) /v2/docker-hub/library/hello/manifests/2\\.0\\?ns=docker\\.io HTTP/1\\.1\" 200");
    }

    @Test
    void withoutCredentialsTheMirrorRefusesAndNothingIsPulled() {
        assertThat(output).anyMatch(line -> line.startsWith("REFUSED docker.io/library/hello:3.0 "));
        assertThat(output).noneMatch(line -> line.startsWith("PULLED docker.io/library/hello:3.0"));
        assertThat(accessLog).containsPattern("/v2/docker-hub/library/hello/manifests/3\\.0\\?ns=docker\\.io HTTP/1\\.1\" 401")
                .doesNotContainPattern("/v2/docker-hub/library/hello/manifests/3\\.0\\?ns=docker\\.io HTTP/1\\.1\" 200");
    }

    @Test
    void overridePathKeepsContainerdFromAppendingASecondV2() {
        assertThat(accessLog).contains("/v2/docker-hub/library/hello/").doesNotContain("/v2/docker-hub/v2/");
    }

    /** The registry's access log, the pulls only (not skopeo's pushes). */
    private static List<String> accessLogLines() {
        List<String> lines = new ArrayList<>();
        Matcher request = Pattern.compile("\"(HEAD|GET) (/v2/[^ ]*\\?ns=[^ ]*) HTTP/1\\.1\" (\\d{3})").matcher(accessLog);
        while (request.find()) {
            lines.add(request.group(1) + " " + request.group(2) + " " + request.group(3));
        }
        return lines;
    }

    /** A one-layer image in an OCI layout, written by hand: a tar holding {@code hello.txt}, one tag per manifest ref. */
    private static void writeImageLayout(Path layout, List<String> tags) throws IOException {
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        byte[] layer = tar("hello.txt", "pulled through the cache\n".getBytes(StandardCharsets.UTF_8));
        String layerDigest = blob(blobs, layer);
        String architecture = System.getProperty("os.arch").equals("aarch64") ? "arm64" : "amd64";
        byte[] config = JSON.writeValueAsBytes(Map.of("architecture", architecture, "os", "linux", "config", Map.of(),
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDigest))));
        String configDigest = blob(blobs, config);
        byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2,
                "mediaType", "application/vnd.oci.image.manifest.v1+json",
                "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", configDigest,
                        "size", config.length),
                "layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar", "digest", layerDigest,
                        "size", layer.length))));
        String manifestDigest = blob(blobs, manifest);
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (String tag : tags) {
            manifests.add(Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", manifestDigest,
                    "size", manifest.length, "annotations", Map.of("org.opencontainers.image.ref.name", tag)));
        }
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests", manifests)));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    private static String blob(Path blobs, byte[] content) throws IOException {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            Files.write(blobs.resolve(hex), content);
            return "sha256:" + hex;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A ustar archive of one regular file: a 512-byte header, the content padded to 512, two zero blocks. */
    private static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 0));
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        int checksum = 0;
        for (byte b : header) {
            checksum += b & 0xFF;
        }
        put(header, 148, String.format("%06o", checksum));
        header[154] = 0;
        header[155] = ' ';
        int padded = (content.length + 511) / 512 * 512;
        byte[] archive = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, archive, 0, 512);
        System.arraycopy(content, 0, archive, 512, content.length);
        return archive;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
