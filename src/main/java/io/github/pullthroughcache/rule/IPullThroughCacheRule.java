package io.github.pullthroughcache.rule;

import software.amazon.awscdk.IResource;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;

/**
 * What any pull through cache rule offers, one of this stack ({@link PullThroughCacheRule}) or one that lives in
 * another stack, account or region ({@link PullThroughCacheRule#fromRuleAttributes}).
 */
public interface IPullThroughCacheRule extends IResource {

    /** @return the prefix of the cached repositories, as ECR knows it ({@code quay}, {@code team/quay}, {@code ROOT}) */
    String getRepositoryPrefix();

    /** @return the registry the rule pulls from */
    UpstreamRegistry getUpstream();

    /** @return the upstream repository prefix of an ECR to ECR rule, or {@code null} */
    String getUpstreamRepositoryPrefix();

    /** @return the host of the registry that holds the rule, {@code <account>.dkr.ecr.<region>.<suffix>} */
    String getRegistryHost();

    /** @return {@code arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*}: the cached repositories */
    String getRepositoryArnPattern();

    /**
     * The private URI of an upstream image, pulled through this rule.
     *
     * @param imageReference any form {@link ImageReference#parse(String)} accepts, of the rule's upstream registry
     * @return {@code <registry host>/<prefix>/<repository>[:tag][@digest]}
     * @throws IllegalArgumentException when the reference is invalid or of another registry
     */
    String imageUri(String imageReference);

    /**
     * {@link #imageUri} as a parsed reference, whose repository is the cached repository
     * ({@code <prefix>/<upstream repository>}).
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return the reference in the rule's registry
     * @throws IllegalArgumentException as {@link #imageUri} does
     */
    ImageReference cachedReference(String imageReference);

    /**
     * Grants an identity what pulling through the rule needs: {@link PullThroughCacheRule#PULL_ACTIONS} on the
     * repositories under the rule's prefix only, and {@code ecr:GetAuthorizationToken} (which has no resource scope).
     * This is the identity side: a rule of another account also needs its registry to allow the grantee (see
     * {@link PullThroughCacheRule#fromRuleAttributes}).
     *
     * @param grantee a role, user or other grantable
     * @return the grant
     */
    Grant grantPull(IGrantable grantee);
}
