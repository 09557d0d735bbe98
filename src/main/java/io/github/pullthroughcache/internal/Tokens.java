package io.github.pullthroughcache.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.Token;

/** Token checks that cross into jsii only when they must. Internal: not part of the public API. */
public final class Tokens {

    /** What every string-encoded token contains; {@code Token.isUnresolved} of a string looks for nothing else. */
    private static final String STRING_TOKEN_MARKER = "${Token[";

    private static final Map<String, Boolean> KNOWN = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 1024;
        }
    });

    private Tokens() {
    }

    /**
     * {@link Token#isUnresolved} for a string, answered in Java for a string that holds no token marker (most of
     * them: a jsii call costs a round trip to Node).
     *
     * @param value a string, or {@code null}
     * @return whether it holds a token
     */
    public static boolean isUnresolved(String value) {
        if (value == null || !value.contains(STRING_TOKEN_MARKER)) {
            return false;
        }
        // a token string stays one: stacks hand out the same few (account, region) again and again
        return KNOWN.computeIfAbsent(value, Token::isUnresolved);
    }
}
