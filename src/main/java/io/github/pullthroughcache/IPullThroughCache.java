package io.github.pullthroughcache;

import io.github.pullthroughcache.kubernetes.RegistryMirrors;
import io.github.pullthroughcache.rule.ICacheModel;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import java.util.List;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;

/**
 * What any pull through cache offers: a cache of this stack ({@link PullThroughCache}), its rules and their grants. It
 * is the model of what the cache serves ({@link ICacheModel}) that every feature takes.
 */
public interface IPullThroughCache extends ICacheModel {

    /**
     * The private URI of an upstream image, pulled through the rule that serves its registry.
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return {@code <registry host>/<prefix>/<repository>[:tag][@digest]}
     * @throws IllegalArgumentException when the reference is invalid or no rule serves its registry
     */
    String imageUri(String imageReference);

    /**
     * An image for an ECS container, pulled through the cache: binding it grants the task execution role what the
     * pull needs from the rule that serves the image.
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return the image
     * @throws IllegalArgumentException when the reference is invalid or no rule serves its registry
     */
    ContainerImage containerImage(String imageReference);

    /**
     * Lets a principal pull through every rule of the cache.
     *
     * @param grantee a role, user or other grantable
     * @return the grants, combined
     */
    Grant grantPull(IGrantable grantee);

    /**
     * @param repositoryPrefix a rule's prefix, such as {@code ecr-public}
     * @return the cache's rule of that prefix
     * @throws IllegalArgumentException when the cache has none, naming the prefixes it has
     */
    IPullThroughCacheRule getRule(String repositoryPrefix);

    /** @return the cache's rules, in the order they were added */
    @Override
    List<? extends IPullThroughCacheRule> getRules();

    /**
     * What Kubernetes nodes need to pull unchanged image references through this cache: containerd registry mirrors
     * for the upstream hosts of its rules and copied registries, and the kubelet's ECR credential provider for them.
     * Made from the cache's model (its registry host, {@link #getRules()} and {@link #getCopiedRegistries()}) and
     * rendered when the app is synthesized: a rule added after this call is mirrored too. Hosts that cannot be
     * mirrored are left out with a warning at synth, which says why; a cache with no rule at synth is an error.
     *
     * @return the mirrors
     */
    default RegistryMirrors registryMirrors() {
        return RegistryMirrors.of(this);
    }
}
