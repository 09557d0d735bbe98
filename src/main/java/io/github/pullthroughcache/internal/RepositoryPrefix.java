package io.github.pullthroughcache.internal;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.constructs.IConstruct;

/**
 * ECR's rules for a repository namespace prefix, shared by pull through cache rules and repository
 * creation templates.
 *
 * <p>ECR always reads a prefix as if it ended in {@code /}: {@code ecr-public} covers {@code ecr-public/*}.
 * {@link #ROOT} stands for the whole registry.
 */
public final class RepositoryPrefix {

    /** The prefix that stands for every repository of the registry. */
    public static final String ROOT = "ROOT";

    /** The pattern ECR applies to a prefix (CloudFormation schema of AWS::ECR::PullThroughCacheRule). */
    public static final Pattern PATTERN =
            Pattern.compile("^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*/?|ROOT)$");

    /** Shortest prefix ECR accepts for a pull through cache rule. */
    public static final int MIN_LENGTH = 2;
    /** Longest prefix ECR accepts for a pull through cache rule. */
    public static final int MAX_LENGTH = 30;

    private RepositoryPrefix() {
    }

    /**
     * Checks a prefix; a token is not checked.
     *
     * @param property the property name for the error, such as {@code PullThroughCacheRuleProps.repositoryPrefix}
     * @param prefix the value
     * @param rootRefusedBecause {@code null} when ROOT is accepted; otherwise why it is not, for the error
     * @throws IllegalArgumentException naming the property, the value and what would be accepted
     */
    public static void validate(String property, String prefix, String rootRefusedBecause) {
        validate(property, prefix, rootRefusedBecause, MIN_LENGTH, MAX_LENGTH);
    }

    /**
     * Checks a prefix against other length limits, such as a repository creation template's 1 to 256; a token is
     * not checked.
     *
     * @param property the property name for the error
     * @param prefix the value
     * @param rootRefusedBecause {@code null} when ROOT is accepted; otherwise why it is not
     * @param minLength the shortest accepted
     * @param maxLength the longest accepted
     * @throws IllegalArgumentException naming the property, the value and what would be accepted
     */
    public static void validate(String property, String prefix, String rootRefusedBecause, int minLength,
            int maxLength) {
        if (prefix == null || Tokens.isUnresolved(prefix)) {
            return;
        }
        if (prefix.length() < minLength || prefix.length() > maxLength || !PATTERN.matcher(prefix).matches()) {
            throw new IllegalArgumentException(property + " '" + prefix + "' is invalid: expected " + minLength
                    + " to " + maxLength + " characters of lowercase path components (letters and digits joined by "
                    + "'.', '_' or '-', separated by '/'), such as 'ecr-public' or 'team/quay', or ROOT");
        }
        if (ROOT.equals(prefix) && rootRefusedBecause != null) {
            throw new IllegalArgumentException(property + " 'ROOT' is not allowed here: " + rootRefusedBecause);
        }
    }

    /**
     * The prefix as a repository path, without the trailing slash ECR tolerates; empty for ROOT.
     *
     * @param prefix a valid prefix
     * @return the path to put before a repository name
     */
    public static String toPath(String prefix) {
        if (ROOT.equals(prefix)) {
            return "";
        }
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /**
     * The ARN of every repository under a prefix, {@code arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*},
     * or {@code repository/*} for ROOT. A token prefix is used as it is.
     *
     * @param stack the stack whose partition (and, when not given, account and region) the ARN uses
     * @param account the registry's account, or {@code null} for the stack's
     * @param region the registry's region, or {@code null} for the stack's
     * @param prefix a valid prefix, or ROOT
     * @return the ARN pattern
     */
    public static String repositoryArn(StackFacts stack, String account, String region, String prefix) {
        String path = Tokens.isUnresolved(prefix) ? prefix : toPath(prefix);
        // What Stack.formatArn writes (service ecr, resource repository, the stack's partition, and its account and
        // region unless given), by hand from the facts read once per stack: formatArn is a jsii round trip per ARN,
        // and this runs once per rule and again per template role, registry policy statement and warmer. The synthesis
        // benchmark shows it (quick start, alternate runs on a shared machine): ratio 1.21 by hand, 1.28 with formatArn.
        return "arn:" + stack.partition() + ":ecr:" + (region != null ? region : stack.region()) + ":"
                + (account != null ? account : stack.account()) + ":repository/"
                + (path.isEmpty() ? "*" : path + "/*");
    }

    /**
     * Whether two prefixes name the same namespace ({@code quay} and {@code quay/}); never for a token.
     *
     * @param a a prefix
     * @param b another
     * @return true when both are literal and name the same namespace
     */
    public static boolean same(String a, String b) {
        return a != null && b != null && !Tokens.isUnresolved(a) && !Tokens.isUnresolved(b) && toPath(a).equals(toPath(b));
    }

    /**
     * Whether the repositories under one prefix and under another can meet: one namespace holds the other,
     * as {@code team} holds {@code team/quay}, or ROOT holds all. A token overlaps everything, since it may.
     *
     * @param a a prefix
     * @param b another
     * @return true unless both are literal and disjoint
     */
    public static boolean overlaps(String a, String b) {
        if (Tokens.isUnresolved(a) || Tokens.isUnresolved(b) || ROOT.equals(a) || ROOT.equals(b)) {
            return true;
        }
        String pathA = toPath(a) + "/";
        String pathB = toPath(b) + "/";
        return pathA.startsWith(pathB) || pathB.startsWith(pathA);
    }

    /**
     * Refuses a prefix that another construct of the same registry already uses: ECR keeps one rule, and one
     * template, per prefix.
     *
     * @param property the property name for the error
     * @param owner the construct taking the prefix
     * @param prefix its prefix
     * @param stack the facts of the owner's stack
     * @param others the constructs of the registry added before it
     * @param prefixOf the prefix of one of them
     * @param constructOf the construct of one of them
     * @param kind what they are, such as {@code rule}, for the error
     * @param <T> what the index holds of them
     * @throws IllegalArgumentException naming both constructs and the registry
     */
    public static <T> void checkUnused(String property, IConstruct owner, String prefix, StackFacts stack, List<T> others,
            Function<T, String> prefixOf, Function<T, IConstruct> constructOf, String kind) {
        for (T other : others) {
            if (same(prefix, prefixOf.apply(other))) {
                throw new IllegalArgumentException(property + " '" + prefix + "' of " + owner.getNode().getPath()
                        + " is already used by " + constructOf.apply(other).getNode().getPath() + " in registry "
                        + stack.registryKey() + ": each " + kind + " of a registry needs its own prefix");
            }
        }
    }
}
