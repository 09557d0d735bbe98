/**
 * Kubernetes nodes that pull unchanged image references through a cache: containerd registry mirrors
 * ({@code hosts.toml}), the kubelet's ECR credential provider, and the user data that writes them on Amazon Linux
 * 2023 (nodeadm) and Bottlerocket nodes ({@link io.github.pullthroughcache.kubernetes.RegistryMirrors}).
 *
 * <p>A layer of its own: below the cache ({@code io.github.pullthroughcache}, whose
 * {@code IPullThroughCache.registryMirrors()} makes one) and above the rules ({@code .rule}), whose upstream hosts and
 * prefixes it reads. It knows nothing of how the cache was made: a cache of this stack, an imported one and a
 * consumer's all answer with their registry host and rules.
 */
package io.github.pullthroughcache.kubernetes;
