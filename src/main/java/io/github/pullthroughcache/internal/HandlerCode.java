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
    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    private HandlerCode() {
    }

    /**
     * @param handler the handler's folder under {@code handlers/}, such as {@code registry-policy}
     * @return the handler's code, from a folder holding its {@code index.js}
     */
    public static Code of(String handler) {
        return Code.fromAsset(EXTRACTED.computeIfAbsent(handler, HandlerCode::extract).toString());
    }

    private static Path extract(String handler) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("index.js", read(handler + "/index.js"));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            files.forEach((name, content) -> {
                digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(content);
            });
            String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            Path folder = Path.of(System.getProperty("java.io.tmpdir"), "pull-through-cache-cdk", handler + "-" + hash);
            Files.createDirectories(folder);
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path temporary = Files.createTempFile(folder, file.getKey(), ".part");
                Files.write(temporary, file.getValue());
                Files.move(temporary, folder.resolve(file.getKey()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
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
