package io.github.pullthroughcache.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import software.constructs.IConstruct;

/** Construct ids and owner names made from names and paths. Internal: not part of the public API. */
public final class ConstructIds {

    private ConstructIds() {
    }

    /**
     * @param name a name of words separated by other characters, such as {@code ecr-public}, {@code ecr.dkr} or
     *     {@code team/quay.io}
     * @return the words in PascalCase: {@code EcrPublic}, {@code EcrDkr}, {@code TeamQuayIo}
     */
    public static String pascalCase(String name) {
        StringBuilder id = new StringBuilder();
        for (String word : name.split("[^A-Za-z0-9]+")) {
            if (!word.isEmpty()) {
                id.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
            }
        }
        return id.toString();
    }

    /**
     * A name that tells what a construct wrote into a registry-wide setting apart from what others wrote: stable
     * across deploys, and different for every construct path.
     *
     * @param construct the owning construct
     * @return {@code Ptc} and 8 hex digits of its path's hash, such as {@code Ptc1a2b3c4d}
     */
    public static String owner(IConstruct construct) {
        return "Ptc" + sha256Hex(construct.getNode().getPath()).substring(0, 8);
    }

    /**
     * @param text any text
     * @return the hex SHA-256 of its UTF-8 bytes
     */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
