package io.github.pullthroughcache.rule;

import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.Tokens;
import java.util.List;
import software.amazon.awscdk.Resource;
import software.amazon.awscdk.ResourceProps;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.GrantOnPrincipalOptions;
import software.amazon.awscdk.services.iam.IGrantable;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * What a rule of this stack and an imported one do alike, from their prefix, upstream and registry: route an image
 * reference to the cached repository, and grant its pulls.
 */
public abstract class PullThroughCacheRuleBase extends Resource implements IPullThroughCacheRule {

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the environment of the rule's registry (for an import), or empty
     */
    protected PullThroughCacheRuleBase(Construct scope, String id, ResourceProps props) {
        super(scope, id, props);
    }

    @Override
    public String imageUri(String imageReference) {
        return cachedReference(imageReference).toString();
    }

    @Override
    public ImageReference cachedReference(String imageReference) {
        PullThroughCacheRule.requireLiteral(imageReference, "imageUri of rule " + getNode().getPath());
        ImageReference reference = ImageReference.parse(imageReference);
        UpstreamRegistry upstream = getUpstream();
        String repositoryPrefix = getRepositoryPrefix();
        if (!upstream.serves(reference.getRegistry())) {
            throw new IllegalArgumentException("Image reference '" + imageReference + "' is from registry '"
                    + reference.getRegistry() + "', but rule " + getNode().getPath() + " (prefix '" + repositoryPrefix
                    + "') serves " + upstream.getImageHost() + " (" + upstream.getDisplayName() + ")");
        }
        String repository = reference.getRepository();
        String upstreamRepositoryPrefix = getUpstreamRepositoryPrefix();
        if (upstreamRepositoryPrefix != null) {
            if (Tokens.isUnresolved(upstreamRepositoryPrefix)) {
                throw new IllegalArgumentException("imageUri cannot map '" + imageReference + "' through rule "
                        + getNode().getPath() + ": its upstreamRepositoryPrefix is a token");
            }
            String upstreamPath = RepositoryPrefix.toPath(upstreamRepositoryPrefix) + "/";
            if (!repository.startsWith(upstreamPath)) {
                throw new IllegalArgumentException("Image reference '" + imageReference + "' is outside rule "
                        + getNode().getPath() + ": it pulls only upstream repositories under '" + upstreamPath + "'");
            }
            repository = repository.substring(upstreamPath.length());
        }
        String path = Tokens.isUnresolved(repositoryPrefix) ? repositoryPrefix : RepositoryPrefix.toPath(repositoryPrefix);
        return reference.withLocation(getRegistryHost(), path.isEmpty() ? repository : path + "/" + repository);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The cdk-nag finding for the prefix wildcard is acknowledged on the grantee with its reason. The one for
     * {@code Resource::*} is left to you, since it may cover other statements of yours.
     */
    @Override
    public Grant grantPull(IGrantable grantee) {
        return grantOnPrefix(grantee, PullThroughCacheRule.PULL_ACTIONS, "Pulling through the cache creates and reads "
                + "repositories under the rule's prefix, named by the image pulled.");
    }

    /**
     * The identity side of a pull under this prefix: the actions on {@link #getRepositoryArnPattern()} and
     * {@code ecr:GetAuthorizationToken}, with the cdk-nag acknowledgement of exactly the wildcard this grant adds.
     *
     * @param grantee who pulls
     * @param actions the repository actions
     * @param reason why the prefix's wildcard is needed
     * @return the two grants, combined
     */
    final Grant grantOnPrefix(IGrantable grantee, List<String> actions, String reason) {
        Grant repositories = Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(actions)
                .resourceArns(List.of(getRepositoryArnPattern()))
                .build());
        Grant token = Grant.addToPrincipal(GrantOnPrincipalOptions.builder()
                .grantee(grantee)
                .actions(List.of("ecr:GetAuthorizationToken"))
                .resourceArns(List.of("*"))
                .build());
        if (grantee.getGrantPrincipal() instanceof IConstruct principal) {
            // exactly the finding this grant adds; a user cannot name it (its id holds <AWS::Partition>)
            NagAcknowledgements.acknowledgeResources(principal, "AwsSolutions-IAM5", reason,
                    List.of(getRepositoryArnPattern()));
        }
        return repositories.combine(token);
    }
}
