package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.IKey;
import software.constructs.Construct;

/**
 * The destination side of a {@link RegistryReplication}, in a stack of the destination account and region: what
 * that registry needs before the first image arrives.
 *
 * <pre>
 * new ReplicaRegistry(destinationStack, "Replica", ReplicaRegistryProps.builder()
 *     .replication(replication)
 *     .creationTemplate(CreationTemplateOptions.builder().encryption(TemplateEncryption.KMS_NEW_KEY).build())
 *     .build());
 * </pre>
 *
 * <ul>
 *   <li>A repository creation template applied for {@link AppliedFor#REPLICATION} on each replicated prefix
 *       (children {@code <prefix in PascalCase>}, {@code Root} for ROOT): ECR creates the replicated repositories
 *       here, and without a template they get AES-256 and no lifecycle policy. One key (child {@code Key}) serves
 *       them all for {@link TemplateEncryption#KMS_NEW_KEY}.
 *   <li>Across accounts, the statement of this registry's policy that lets the source account replicate
 *       ({@code RegistryPolicy.of(this).allowReplicationFrom(sourceAccount)}).
 *   <li>The replicating stack depends on this one, so that {@code cdk deploy --all} deploys the templates and the
 *       statement first.
 * </ul>
 */
public class ReplicaRegistry extends Construct {

    private final RegistryReplication replication;
    private final List<RepositoryCreationTemplate> templates = new ArrayList<>();
    private final IKey key;
    private final PolicyStatement registryPolicyStatement;

    /**
     * @param scope a construct of a stack in the destination account and region
     * @param id the construct id
     * @param props the replication and the replicas' settings
     */
    public ReplicaRegistry(Construct scope, String id, ReplicaRegistryProps props) {
        super(scope, id);
        this.replication = props.getReplication();
        if (replication == null) {
            throw new IllegalArgumentException("ReplicaRegistryProps.replication is required: the RegistryReplication "
                    + "whose rules copy images into this registry");
        }
        StackFacts facts = StackFacts.of(scope);
        Stack stack = facts.stack();
        Stack sourceStack = Stack.of(replication);
        String account = facts.account();
        String region = facts.region();
        String sourceAccount = replication.getSourceAccount();
        if (sourceStack == stack) {
            throw new IllegalArgumentException("ReplicaRegistry " + getNode().getPath() + " is in the stack of "
                    + replication.getNode().getPath() + ": put it in a stack of the destination account and region");
        }
        if (Tokens.isUnresolved(sourceAccount)) {
            throw new IllegalArgumentException("ReplicaRegistry " + getNode().getPath() + " needs the account of "
                    + sourceStack.getNode().getPath() + ", whose registry replicates, and that stack is "
                    + "environment-agnostic: give it an env with an account");
        }
        List<ReplicationRule> rules = Tokens.isUnresolved(account) || Tokens.isUnresolved(region)
                ? replication.getRules() : replication.rulesReplicatingTo(account, region);
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("ReplicaRegistry " + getNode().getPath() + ": registry " + account + "/"
                    + region + " is not a destination of " + replication.getNode().getPath() + " (rules: "
                    + replication.getRules() + "); add a rule with ReplicationDestination.account(\"" + account
                    + "\", \"" + region + "\") or put this construct in a destination's stack");
        }
        this.registryPolicyStatement = sourceAccount.equals(account)
                ? null : RegistryPolicy.of(this).allowReplicationFrom(sourceAccount);

        CreationTemplateOptions options = props.getCreationTemplate() != null
                ? props.getCreationTemplate() : CreationTemplateOptions.builder().build();
        if (options.getEncryption() != null && options.getEncryption().createsKey()) {
            // one key for every template here, not one each
            this.key = TemplateEncryption.createKey(this, "Key", "Encrypts the repositories that replication from "
                    + sourceAccount + "/" + replication.getSourceRegion() + " creates");
            options = CreationTemplateOptions.builder().options(options).encryption(TemplateEncryption.kms(key)).build();
        } else {
            this.key = null;
        }
        String description = options.getDescription() != null ? options.getDescription()
                : "Repositories replicated from " + sourceAccount + "/" + replication.getSourceRegion();
        for (String prefix : props.getPrefixes() != null ? props.getPrefixes() : prefixesOf(rules)) {
            String templateId = RepositoryPrefix.ROOT.equals(prefix) ? "Root"
                    : ConstructIds.pascalCase(prefix.toLowerCase(Locale.ROOT));
            templates.add(new RepositoryCreationTemplate(this, templateId, RepositoryCreationTemplateProps.builder()
                    .options(options).prefix(prefix).appliedFor(List.of(AppliedFor.REPLICATION)).description(description)
                    .build()));
        }
        sourceStack.addStackDependency(stack, "the replica registry needs its creation templates and registry policy "
                + "before the first replicated image arrives");
    }

    /** One template prefix per filter (without its trailing slash), ROOT for a rule that replicates everything. */
    private List<String> prefixesOf(List<ReplicationRule> rules) {
        Set<String> prefixes = new LinkedHashSet<>();
        for (ReplicationRule rule : rules) {
            if (rule.getRepositoryFilters().isEmpty()) {
                prefixes.add(RepositoryPrefix.ROOT);
            }
            for (ReplicationFilter filter : rule.getRepositoryFilters()) {
                String text = filter.getFilter();
                String prefix = !Tokens.isUnresolved(text) && text.endsWith("/")
                        ? text.substring(0, text.length() - 1) : text;
                if (!Tokens.isUnresolved(prefix) && !RepositoryPrefix.PATTERN.matcher(prefix).matches()) {
                    throw new IllegalArgumentException("ReplicaRegistry " + getNode().getPath() + ": replication "
                            + "filter '" + text + "' does not end at a name boundary, so no creation template prefix "
                            + "matches exactly the repositories it replicates; set ReplicaRegistryProps.prefixes to "
                            + "the prefixes (such as 'team') that should get a template");
                }
                prefixes.add(prefix);
            }
        }
        return List.copyOf(prefixes);
    }

    /** @return the replication that copies images here */
    public RegistryReplication getReplication() {
        return replication;
    }

    /** @return the creation templates, one per replicated prefix */
    public List<RepositoryCreationTemplate> getTemplates() {
        return List.copyOf(templates);
    }

    /** @return the key of the replicated repositories, or {@code null} unless this construct created one */
    public IKey getKey() {
        return key;
    }

    /** @return the registry policy statement that lets the source account replicate, or {@code null} in one account */
    public PolicyStatement getRegistryPolicyStatement() {
        return registryPolicyStatement;
    }
}
