package io.github.pullthroughcache.rule;

import java.util.regex.Pattern;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;

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

    /** Shortest prefix ECR accepts. */
    public static final int MIN_LENGTH = 2;
    /** Longest prefix ECR accepts. */
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
        if (prefix == null || Token.isUnresolved(prefix)) {
            return;
        }
        if (prefix.length() < MIN_LENGTH || prefix.length() > MAX_LENGTH || !PATTERN.matcher(prefix).matches()) {
            throw new IllegalArgumentException(property + " '" + prefix + "' is invalid: expected " + MIN_LENGTH
                    + " to " + MAX_LENGTH + " characters of lowercase path components (letters and digits joined by "
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
    public static String repositoryArn(Stack stack, String account, String region, String prefix) {
        String path = Token.isUnresolved(prefix) ? prefix : toPath(prefix);
        return stack.formatArn(ArnComponents.builder()
                .service("ecr")
                .account(account)
                .region(region)
                .resource("repository")
                .resourceName(path.isEmpty() ? "*" : path + "/*")
                .build());
    }
}
