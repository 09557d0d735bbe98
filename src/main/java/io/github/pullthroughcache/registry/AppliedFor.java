package io.github.pullthroughcache.registry;

/** When ECR creates a repository from a {@link RepositoryCreationTemplate}. */
public enum AppliedFor {
    /** A pull through the cache creates the repository of an upstream image. */
    PULL_THROUGH_CACHE,
    /** Replication into this registry creates the repository of a replicated image. */
    REPLICATION,
    /** A push to a repository that does not exist creates it (ECR's create on push). */
    CREATE_ON_PUSH
}
