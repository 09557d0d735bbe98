package io.github.pullthroughcache.registry;

/** How a {@link RegistryPolicy} writes the account's one ECR registry policy. */
public enum RegistryPolicyMode {

    /**
     * A custom resource owns only this stack's statements, by Sid: it reads the current policy, replaces
     * its own statements, keeps every other statement as it is, and on delete removes only its own.
     * Choose this unless the stack alone owns the registry policy: other teams, stacks or the console may
     * have written statements that must survive.
     */
    MERGE,

    /**
     * A plain {@code AWS::ECR::RegistryPolicy} holding exactly this stack's statements, retained when the
     * stack is deleted. Choose this only for an account where this stack alone writes the registry policy:
     * creating it fails when a policy exists, and each update replaces the whole document.
     */
    REPLACE
}
