package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.Tokens;
import java.util.regex.Pattern;

/**
 * Which repositories a {@link ReplicationRule} replicates. ECR offers one kind of filter: a repository whose
 * name starts with the filter's text.
 */
public final class ReplicationFilter {

    /** Shortest filter ECR accepts. */
    public static final int MIN_LENGTH = 2;
    /** Longest filter ECR accepts. */
    public static final int MAX_LENGTH = 256;

    private static final Pattern PATTERN =
            Pattern.compile("^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$");

    private final String filter;

    private ReplicationFilter(String filter) {
        this.filter = filter;
    }

    /**
     * Repositories whose name starts with a text ({@code PREFIX_MATCH}): {@code ecr-public} matches
     * {@code ecr-public/nginx/nginx}, and also {@code ecr-public-mirror/...}; end it with {@code /} to match one
     * namespace only.
     *
     * @param prefix 2 to 256 lowercase letters, digits, {@code . _ - /}, such as {@code ecr-public} or
     *     {@code team/}
     * @return the filter
     * @throws IllegalArgumentException naming the prefix and what is accepted
     */
    public static ReplicationFilter prefixMatch(String prefix) {
        if (prefix == null || (!Tokens.isUnresolved(prefix) && (prefix.length() < MIN_LENGTH
                || prefix.length() > MAX_LENGTH || !PATTERN.matcher(prefix).matches()))) {
            throw new IllegalArgumentException("ReplicationFilter.prefixMatch: prefix '" + prefix + "' is invalid: "
                    + "expected " + MIN_LENGTH + " to " + MAX_LENGTH + " characters of a repository name's start "
                    + "(lowercase letters and digits, separated by '.', '_', '-' or '/'), such as 'ecr-public' or "
                    + "'team/'");
        }
        return new ReplicationFilter(prefix);
    }

    /** @return the text repository names must start with */
    public String getFilter() {
        return filter;
    }

    /** @return the filter type as ECR names it, {@code PREFIX_MATCH} */
    public String getFilterType() {
        return "PREFIX_MATCH";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReplicationFilter that && filter.equals(that.filter);
    }

    @Override
    public int hashCode() {
        return filter.hashCode();
    }

    @Override
    public String toString() {
        return "prefixMatch(" + filter + ")";
    }
}
