package io.github.pullthroughcache.internal;

import java.util.regex.Pattern;

/** The check of an AWS account ID given as a prop, so that each class that takes one names itself in the error. */
public final class AccountIds {

    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");

    private AccountIds() {
    }

    /**
     * Fails for a literal that is not an account ID; a token is not checked.
     *
     * @param property the property as the user wrote it, such as {@code PullThroughCacheAttributes.account}
     * @param account the value
     * @throws IllegalArgumentException naming the property, the value and what is accepted
     */
    public static void check(String property, String account) {
        if (account != null && !Tokens.isUnresolved(account) && !ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException(property + " '" + account + "' is invalid: expected a 12-digit AWS "
                    + "account ID");
        }
    }
}
