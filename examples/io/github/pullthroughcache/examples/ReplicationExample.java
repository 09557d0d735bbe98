package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryReplication;
import io.github.pullthroughcache.registry.RegistryReplicationProps;
import io.github.pullthroughcache.registry.ReplicaRegistry;
import io.github.pullthroughcache.registry.ReplicaRegistryProps;
import io.github.pullthroughcache.registry.ReplicationDestination;
import io.github.pullthroughcache.registry.ReplicationFilter;
import io.github.pullthroughcache.registry.ReplicationRule;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * Cross-account replication of a cache: a platform account caches ECR Public and Quay images and replicates
 * them to a workload account, whose registry gets KMS-encrypted replicas with a lifecycle policy and lets the
 * platform account replicate.
 *
 * <p>Two stacks, {@code <idPrefix>Source} and {@code <idPrefix>Destination}; the source depends on the
 * destination, so {@code cdk deploy --all} prepares the destination first. The accounts come from context
 * ({@code -c replicationSourceAccount=... -c replicationDestinationAccount=...}), else placeholders.
 */
public final class ReplicationExample {

    /** The source account when the context names none. */
    /** The context key of the source account. */
    static final String SOURCE_ACCOUNT_KEY = "replicationSourceAccount";
    /** The context key of the destination account. */
    static final String DESTINATION_ACCOUNT_KEY = "replicationDestinationAccount";
    public static final String SOURCE_ACCOUNT = "123456789012";
    /** The destination account when the context names none. */
    public static final String DESTINATION_ACCOUNT = "210987654321";
    /** The region of both registries. */
    public static final String REGION = "eu-west-1";

    private ReplicationExample() {
    }

    /**
     * @param scope the app
     * @param idPrefix the start of both stack ids
     * @return the source stack and the destination stack
     */
    public static List<Stack> create(Construct scope, String idPrefix) {
        String sourceAccount = context(scope, SOURCE_ACCOUNT_KEY, SOURCE_ACCOUNT);
        String destinationAccount = context(scope, DESTINATION_ACCOUNT_KEY, DESTINATION_ACCOUNT);

        Stack source = new Stack(scope, idPrefix + "Source", StackProps.builder()
                .env(Environment.builder().account(sourceAccount).region(REGION).build())
                .description("Amazon ECR pull through cache replicated to account " + destinationAccount)
                .build());
        List<Map.Entry<String, UpstreamRegistry>> upstreams =
                List.of(Map.entry("EcrPublic", UpstreamRegistry.ECR_PUBLIC), Map.entry("Quay", UpstreamRegistry.QUAY));
        for (Map.Entry<String, UpstreamRegistry> upstream : upstreams) {
            new PullThroughCacheRule(source, upstream.getKey(), PullThroughCacheRuleProps.builder()
                    .upstream(upstream.getValue()).build())
                    .addCreationTemplate(CreationTemplateOptions.builder().build());
        }
        RegistryReplication replication = new RegistryReplication(source, "Replication", RegistryReplicationProps.builder()
                .rules(List.of(ReplicationRule.builder()
                        .destinations(List.of(ReplicationDestination.account(destinationAccount, REGION)))
                        .repositoryFilters(upstreams.stream()
                                .map(upstream -> ReplicationFilter.prefixMatch(
                                        upstream.getValue().getDefaultRepositoryPrefix() + "/"))
                                .toList())
                        .build()))
                .build());

        Stack destination = new Stack(scope, idPrefix + "Destination", StackProps.builder()
                .env(Environment.builder().account(destinationAccount).region(REGION).build())
                .description("Amazon ECR registry receiving the images account " + sourceAccount + " caches")
                .build());
        new ReplicaRegistry(destination, "Replica", ReplicaRegistryProps.builder()
                .replication(replication)
                .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
                .build());
        return List.of(source, destination);
    }

    private static String context(Construct scope, String key, String fallback) {
        Object value = scope.getNode().tryGetContext(key);
        return value != null ? value.toString() : fallback;
    }
}
