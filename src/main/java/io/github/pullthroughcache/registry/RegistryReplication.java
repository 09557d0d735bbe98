package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.SupportedRegions;
import io.github.pullthroughcache.internal.SynthTime;
import io.github.pullthroughcache.internal.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.CfnReplicationConfiguration;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * Private image replication of this stack's registry (its account and region) to other regions and accounts.
 *
 * <pre>
 * new RegistryReplication(this, "Replication", RegistryReplicationProps.builder()
 *     .rules(List.of(ReplicationRule.builder()
 *         .destinations(List.of(ReplicationDestination.region("us-east-1"),
 *                               ReplicationDestination.account("222222222222", "eu-west-1")))
 *         .repositoryFilters(List.of(ReplicationFilter.prefixMatch("ecr-public")))
 *         .build()))
 *     .build());
 * </pre>
 *
 * <p>ECR has one replication configuration per account and region, and CloudFormation's
 * {@code AWS::ECR::ReplicationConfiguration} treats it as one resource: each update replaces every rule, a delete
 * removes all of them. In {@link RegistryReplicationMode#MERGE} (the default) a custom resource (child
 * {@code Resource}, type {@code Custom::EcrReplicationRules}) owns only this construct's rules and keeps every
 * other rule. A rule is known by its content (ECR rules have no name): a rule equal to one already configured is
 * not added twice, and on delete the rules this construct declares are removed. In
 * {@link RegistryReplicationMode#REPLACE} child {@code Resource} is a plain
 * {@code AWS::ECR::ReplicationConfiguration}, retained when the stack is deleted.
 *
 * <p>Each destination registry needs a {@link ReplicaRegistry} (in a stack of that account and region): the
 * creation templates that give replicated repositories encryption and a lifecycle, and, across accounts, the
 * registry policy statement that lets this account replicate.
 *
 * <p>Checked at synthesis: at most {@value #MAX_RULES} rules and {@value #MAX_DESTINATIONS} distinct destinations
 * per registry (across every construct of the app that replicates it), no destination equal to this registry or
 * in another partition (aws, aws-cn, aws-us-gov).
 */
public class RegistryReplication extends RegistrySetting {

    /** Most replication rules ECR accepts per registry. */
    public static final int MAX_RULES = 10;
    /** Most distinct destinations ECR accepts per registry, across all rules. */
    public static final int MAX_DESTINATIONS = 25;

    private final StackFacts facts;
    private final Stack stack;
    private final String account;
    private final String region;
    private final RegistryReplicationMode mode;
    private final List<ReplicationRule> rules = new ArrayList<>();
    private final IConstruct resource;

    /**
     * A construct with every prop at its default.
     *
     * @param scope a construct of the stack
     * @param id the construct id
     */
    public RegistryReplication(Construct scope, String id) {
        this(scope, id, RegistryReplicationProps.builder().build());
    }

    /**
     * @param scope a construct of the stack whose registry replicates
     * @param id the construct id
     * @param props the rules and the mode
     */
    public RegistryReplication(Construct scope, String id, RegistryReplicationProps props) {
        super(scope, id, "replication configuration", props.getMode() == RegistryReplicationMode.REPLACE);
        this.facts = StackFacts.of(this);
        this.stack = facts.stack();
        this.account = facts.account();
        this.region = facts.region();
        this.mode = isReplacing() ? RegistryReplicationMode.REPLACE : RegistryReplicationMode.MERGE;
        this.resource = isReplacing() ? createReplaceResource() : createMergeResource(props.getLogRetention());
        if (props.getRules() != null) {
            props.getRules().forEach(this::addRule);
        }
        SynthTime.beforeSynth(this, this::warnWhenEmpty);
    }

    private IConstruct createMergeResource(RetentionDays logRetention) {
        // the handler's ledger of which owner claims which rule (handlers/registry-replication, CLAIMS_PATH): listed
        // by path, which is authorized on the path itself, and one parameter per owner, named at deploy from the
        // stack's id (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html)
        String claims = claimsArn("pull-through-cache/replication-rules");
        String ownersClaims = claimsArn("pull-through-cache/replication-rules/Ptc*");
        return mergedResource("Custom::EcrReplicationRules", "registry-replication", logRetention,
                "The log holds request types, rule counts and error messages, never credentials;",
                function -> function
                        .descriptions("Custom::EcrReplicationRules: merges " + getNode().getPath()
                                + "'s rules into the ECR replication configuration",
                                "ECR replication configuration reads and writes, its service-linked role, the claims "
                                        + "of the rules' owners, and the handler's own log group")
                        .statements(List.of(PolicyStatement.Builder.create()
                                        .sid("ReplicationConfiguration")
                                        .actions(List.of("ecr:DescribeRegistry", "ecr:PutReplicationConfiguration"))
                                        .resources(List.of("*"))
                                        .build(),
                                // ECR creates its replication role the first time a registry replicates
                                PolicyStatement.Builder.create()
                                        .sid("ReplicationServiceLinkedRole")
                                        .actions(List.of("iam:CreateServiceLinkedRole"))
                                        .resources(List.of("arn:" + facts.partition() + ":iam::" + account
                                                + ":role/aws-service-role/replication.ecr.amazonaws.com/"
                                                + "AWSServiceRoleForECRReplication"))
                                        .conditions(Map.of("StringEquals",
                                                Map.of("iam:AWSServiceName", "replication.ecr.amazonaws.com")))
                                        .build(),
                                PolicyStatement.Builder.create()
                                        .sid("ReadRuleClaims")
                                        .actions(List.of("ssm:GetParametersByPath"))
                                        .resources(List.of(claims))
                                        .build(),
                                PolicyStatement.Builder.create()
                                        .sid("WriteOwnRuleClaims")
                                        .actions(List.of("ssm:PutParameter", "ssm:DeleteParameter"))
                                        .resources(List.of(ownersClaims))
                                        .build()))
                        .wildcards("ecr:DescribeRegistry and ecr:PutReplicationConfiguration act on the account's "
                                + "registry and take no resource ARN. A stack's claim of its rules is a parameter "
                                + "named at deploy time from the stack's id (Ptc and a hash), so only the path and "
                                + "prefix of the claims are known at synthesis.", List.of("*", ownersClaims))
                        .limits(Duration.minutes(2), 256),
                "Rules", this::renderForApi);
    }

    private String claimsArn(String path) {
        return stack.formatArn(ArnComponents.builder()
                .service("ssm")
                .resource("parameter")
                .resourceName(path)
                .arnFormat(ArnFormat.SLASH_RESOURCE_NAME)
                .build());
    }

    private IConstruct createReplaceResource() {
        return retained(CfnReplicationConfiguration.Builder.create(this, "Resource")
                .replicationConfiguration(Lazy.any(() -> CfnReplicationConfiguration.ReplicationConfigurationProperty
                        .builder().rules(renderForCloudFormation()).build()))
                .build());
    }

    /**
     * Adds a rule.
     *
     * @param rule the rule
     * @throws IllegalArgumentException when a destination is this registry or in another partition, when the
     *     registry would have more than {@value #MAX_RULES} rules or {@value #MAX_DESTINATIONS} destinations, or when
     *     another construct replicating this registry declares the same rule
     */
    public void addRule(ReplicationRule rule) {
        for (ReplicationDestination destination : rule.getDestinations()) {
            checkDestination(destination);
        }
        List<RegistryReplication> owners = inRegistry().stream()
                .map(RegistryReplication.class::cast).toList();
        List<ReplicationRule> registryRules = new ArrayList<>();
        for (RegistryReplication other : owners) {
            if (other != this && other.rules.contains(rule)) {
                throw new IllegalArgumentException("RegistryReplication " + getNode().getPath() + ": rule " + rule
                        + " is declared by " + other.getNode().getPath() + " already. Rules are known by their content, "
                        + "so deleting either would remove it for both: keep it in one of them");
            }
            registryRules.addAll(other.rules);
        }
        if (rules.contains(rule)) {
            throw new IllegalArgumentException("RegistryReplication " + getNode().getPath() + " has rule " + rule
                    + " already: add each rule once");
        }
        registryRules.add(rule);
        if (registryRules.size() > MAX_RULES) {
            throw new IllegalArgumentException("Too many replication rules for registry " + facts.registryKey()
                    + ": " + getNode().getPath() + " would make it " + registryRules.size() + " (" + describe(owners)
                    + "), and ECR allows " + MAX_RULES + " per account and region: give one rule several filters and "
                    + "destinations instead");
        }
        Set<String> destinations = destinationsOf(registryRules);
        if (destinations.size() > MAX_DESTINATIONS) {
            throw new IllegalArgumentException("Too many replication destinations for registry "
                    + facts.registryKey() + ": rule " + rule + " of " + getNode().getPath() + " would make it "
                    + destinations.size() + " distinct destinations, and ECR allows " + MAX_DESTINATIONS
                    + " across all rules of an account and region");
        }
        rules.add(rule);
    }

    private void checkDestination(ReplicationDestination destination) {
        String destinationAccount = destination.accountOrSource(account);
        String destinationRegion = destination.getRegion();
        if (Tokens.isUnresolved(destinationRegion) || Tokens.isUnresolved(region)) {
            return;
        }
        if (destinationRegion.equals(region) && destinationAccount.equals(account)) {
            throw new IllegalArgumentException("RegistryReplication " + getNode().getPath() + ": destination "
                    + destination + " is the source registry itself (" + account + "/" + region + "): replicate to "
                    + "another region with ReplicationDestination.region(...) or to another account with "
                    + "ReplicationDestination.account(...)");
        }
        String sourcePartition = SupportedRegions.partitionOf(region);
        String destinationPartition = SupportedRegions.partitionOf(destinationRegion);
        if (!sourcePartition.equals(destinationPartition)) {
            throw new IllegalArgumentException("RegistryReplication " + getNode().getPath() + ": destination "
                    + destination + " is in partition " + destinationPartition + ", and the source registry "
                    + account + "/" + region + " in " + sourcePartition + ": ECR replicates only within a partition; "
                    + "choose a destination region of " + sourcePartition);
        }
    }

    private Set<String> destinationsOf(List<ReplicationRule> someRules) {
        Set<String> out = new LinkedHashSet<>();
        for (ReplicationRule rule : someRules) {
            for (ReplicationDestination destination : rule.getDestinations()) {
                out.add(destination.accountOrSource(account) + "/" + destination.getRegion());
            }
        }
        return out;
    }

    private static String describe(List<RegistryReplication> owners) {
        return String.join(", ", owners.stream().map(o -> o.getNode().getPath() + ": " + o.rules.size()).toList());
    }

    /**
     * The rules that replicate to a registry.
     *
     * @param destinationAccount the destination's account
     * @param destinationRegion the destination's region
     * @return the rules with that destination, in the order they were added
     */
    public List<ReplicationRule> rulesReplicatingTo(String destinationAccount, String destinationRegion) {
        return rules.stream().filter(rule -> rule.getDestinations().stream().anyMatch(destination ->
                destination.accountOrSource(account).equals(destinationAccount)
                        && destination.getRegion().equals(destinationRegion))).toList();
    }

    /** The rules as ECR's PutReplicationConfiguration takes them. */
    private List<Object> renderForApi() {
        List<Object> out = new ArrayList<>();
        for (ReplicationRule rule : rules) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("destinations", rule.getDestinations().stream()
                    .map(destination -> ordered("region", destination.getRegion(),
                            "registryId", destination.accountOrSource(account))).toList());
            json.put("repositoryFilters", rule.getRepositoryFilters().stream()
                    .map(filter -> ordered("filter", filter.getFilter(), "filterType", filter.getFilterType())).toList());
            out.add(json);
        }
        return out;
    }

    /** Two keys in this order: the rendered JSON must not change from one synthesis to the next. */
    private static Map<String, String> ordered(String key1, String value1, String key2, String value2) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(key1, value1);
        map.put(key2, value2);
        return map;
    }

    private List<CfnReplicationConfiguration.ReplicationRuleProperty> renderForCloudFormation() {
        return rules.stream().map(rule -> CfnReplicationConfiguration.ReplicationRuleProperty.builder()
                .destinations(rule.getDestinations().stream().map(destination ->
                        (Object) CfnReplicationConfiguration.ReplicationDestinationProperty.builder()
                                .region(destination.getRegion())
                                .registryId(destination.accountOrSource(account))
                                .build()).toList())
                .repositoryFilters(rule.getRepositoryFilters().isEmpty() ? null : rule.getRepositoryFilters().stream()
                        .map(filter -> (Object) CfnReplicationConfiguration.RepositoryFilterProperty.builder()
                                .filter(filter.getFilter())
                                .filterType(filter.getFilterType())
                                .build()).toList())
                .build()).toList();
    }

    private void warnWhenEmpty() {
        if (rules.isEmpty()) {
            Annotations.of(this).addWarningV2("@pullthroughcache/replication:no-rules", "RegistryReplication "
                    + getNode().getPath() + " has no rules, so it replicates nothing: add rules with addRule, or remove it");
        }
    }


    /** @return the rules, in the order they were added */
    public List<ReplicationRule> getRules() {
        return List.copyOf(rules);
    }

    /** @return the mode */
    public RegistryReplicationMode getMode() {
        return mode;
    }

    /** @return the account whose registry replicates, a token when the stack is environment-agnostic */
    public String getSourceAccount() {
        return account;
    }

    /** @return the region whose registry replicates, a token when the stack is environment-agnostic */
    public String getSourceRegion() {
        return region;
    }

    /** @return the custom resource (MERGE) or the {@code CfnReplicationConfiguration} (REPLACE) */
    @Override
    public IConstruct getResource() {
        return resource;
    }
}
