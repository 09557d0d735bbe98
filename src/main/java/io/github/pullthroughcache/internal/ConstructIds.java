package io.github.pullthroughcache.internal;

import java.util.Locale;

/** Construct ids made from names. Internal: not part of the public API. */
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
}
