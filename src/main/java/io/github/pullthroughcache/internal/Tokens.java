package io.github.pullthroughcache.internal;

import java.util.regex.Pattern;
import software.amazon.awscdk.Token;

/** Token checks answered in Java: a jsii call costs a round trip to Node. Internal: not part of the public API. */
public final class Tokens {

    /**
     * What {@link Token#isUnresolved} looks for in a string: aws-cdk-lib's {@code STRING_TOKEN_REGEX} (a string token
     * {@code ${Token[<key>]}}, or a number token written as a string), read from its {@code encoding.ts}.
     */
    private static final Pattern STRING_TOKEN = Pattern.compile(
            "\\$\\{Token\\[[a-zA-Z0-9:._-]+]}|-1\\.\\d{10,16}e\\+289");

    private Tokens() {
    }

    /**
     * {@link Token#isUnresolved} for a string, without the jsii call.
     *
     * @param value a string, or {@code null}
     * @return whether it holds a token
     */
    public static boolean isUnresolved(String value) {
        return value != null && STRING_TOKEN.matcher(value).find();
    }
}
