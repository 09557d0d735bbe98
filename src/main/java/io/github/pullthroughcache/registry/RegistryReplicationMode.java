package io.github.pullthroughcache.registry;

/** How a {@link RegistryReplication} writes the account's one ECR replication configuration of a region. */
public enum RegistryReplicationMode {

    /**
     * A custom resource owns only this construct's rules: it reads the configuration, replaces its own rules,
     * keeps every other rule as it is, and on delete removes only its own. Choose this unless the stack alone
     * owns replication in the account and region.
     */
    MERGE,

    /**
     * A plain {@code AWS::ECR::ReplicationConfiguration} holding exactly this construct's rules, retained when the
     * stack is deleted. Choose this only where this stack alone configures replication: each update replaces
     * every rule.
     */
    REPLACE
}
