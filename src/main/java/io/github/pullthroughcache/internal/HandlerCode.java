package io.github.pullthroughcache.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awscdk.services.lambda.Code;

/**
 * The Lambda handlers shipped as resources of the jar, turned into a folder an asset can be made from.
 * The folder is named by the content's hash, so the asset hash, and the template, depend on the code only.
 * Internal: not part of the public API.
 */
public final class HandlerCode {

    private static final String ROOT = "/io/github/pullthroughcache/handlers/";
    /** Modules every handler may require as {@code ../shared/<name>}. */
    private static final List<String> SHARED = List.of("cloudformation.js", "registry-setting.js", "policy-document.js",
            "metrics.js", "registry-client.js", "image-run.js", "retry.js", "log.js", "aws-clients.js", "http-fetch.js");
    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    private HandlerCode() {
    }

    /**
     * @param handler the handler's folder under {@code handlers/}, such as {@code registry-policy}
     * @return the handler's code: a folder holding {@code <handler>/index.js} and the shared modules
     */
    public static Code of(String handler) {
        return Code.fromAsset(EXTRACTED.computeIfAbsent(handler, HandlerCode::extract).toString());
    }

    /**
     * @param handler the handler's folder under {@code handlers/}
     * @return the Lambda handler setting for its code, {@code <handler>/index.handler}
     */
    public static String handler(String handler) {
        return handler + "/index.handler";
    }

    private static Path extract(String handler) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(handler + "/index.js", read(handler + "/index.js"));
        for (String shared : SHARED) {
            files.put("shared/" + shared, read("shared/" + shared));
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            files.forEach((name, content) -> {
                digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(content);
            });
            String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            Path folder = Path.of(System.getProperty("java.io.tmpdir"), "pull-through-cache-cdk", handler + "-" + hash);
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path target = folder.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Path temporary = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
                Files.write(temporary, file.getValue());
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the " + handler + " handler for its asset", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = HandlerCode.class.getResourceAsStream(ROOT + resource)) {
            if (in == null) {
                throw new IllegalStateException("Handler " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
