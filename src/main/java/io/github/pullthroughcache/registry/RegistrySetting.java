package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.HandlerFunction;
import io.github.pullthroughcache.internal.RegistryIndex;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.Tokens;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * A stack's part of a setting that ECR keeps once per registry (account and region), such as the registry policy
 * ({@link RegistryPolicy}) or the replication configuration ({@link RegistryReplication}).
 *
 * <p>CloudFormation's own resource for such a setting owns all of it: creating it fails when the setting exists, an
 * update replaces it whole, a delete removes it. So a setting is written one of two ways, chosen per construct:
 * <ul>
 * <li>merged (the default): a custom resource (child {@code Resource}) whose handler reads the setting, replaces
 * only the parts this construct owns, and keeps every other part as ECR returned it;</li>
 * <li>replaced: the plain CloudFormation resource (child {@code Resource}), retained when the stack is deleted, for
 * a registry where this construct alone writes the setting. It must then be the only construct of its kind in
 * that registry, across every stack of the app.</li>
 * </ul>
 *
 * <p>What a merged setting writes is owned by the deployed stack and the construct: the custom resource carries
 * {@link #getOwner()}, made of the stack's name and the construct's path, and {@code OwnerScope: Stack}, which tells
 * the handler to tell its parts apart also by the stack's id (the {@code StackId} CloudFormation sends). Two
 * deployments of one app into one registry, under two stack names or as two stacks of one name one after the other,
 * never share a part.
 *
 * <p>Subclasses live in this package; a new account-wide setting is a subclass that renders its part and names
 * its handler.
 */
public abstract class RegistrySetting extends Construct {

    /** The property value that marks a merged setting's parts as owned per deployed stack. */
    static final String OWNER_SCOPE = "Stack";

    private final StackFacts facts;
    /** One kind per subclass: the constructs of a setting are counted per registry. */
    private final RegistryIndex.Kind<RegistrySetting> kind;
    private final String settingName;
    private final boolean replacing;
    private final String owner;

    /**
     * Adds the construct to its registry's constructs of the kind.
     *
     * @param scope a construct of the stack whose registry holds the setting
     * @param id the construct id
     * @param settingName what ECR calls the setting, such as {@code registry policy}
     * @param replacing whether the construct owns the whole setting (the plain CloudFormation resource)
     * @throws IllegalArgumentException when the registry has a construct of the kind already and either of them owns
     *     the whole setting
     */
    RegistrySetting(Construct scope, String id, String settingName, boolean replacing) {
        super(scope, id);
        this.facts = StackFacts.of(scope);
        this.kind = new RegistryIndex.Kind<>(getClass().getName());
        this.settingName = settingName;
        this.replacing = replacing;
        this.owner = ownerOf(this, facts.stack());
        RegistrySetting other = facts.registryIndex().addUnlessSole(kind, facts, this, s -> s.replacing);
        if (other != null) {
            throw new IllegalArgumentException("Registry " + facts.registryKey() + " would have two owners of its "
                    + settingName + ": " + other.getNode().getPath() + " (" + other.modeName() + ") and "
                    + getNode().getPath() + " (" + modeName() + "). A REPLACE " + settingName + " is owned whole by "
                    + "one construct, so it must be the only " + getClass().getSimpleName() + " of its account and "
                    + "region; use MERGE in every stack instead");
        }
    }

    /**
     * {@code Ptc} and 8 hex digits of the hash of the stack's name and the construct's path: stable across the
     * stack's deploys, different for two stack names of one app (the usual dev and prod of one app) and for two
     * constructs of one stack.
     */
    static String ownerOf(IConstruct construct, Stack stack) {
        String stackName = stack.getStackName();
        String name = Tokens.isUnresolved(stackName) ? "" : stackName;
        return "Ptc" + ConstructIds.sha256Hex(name + "/" + construct.getNode().getPath()).substring(0, 8);
    }

    /**
     * The custom resource of a merged setting (child {@code Resource}) and its handler's function, with the
     * settings every such handler shares.
     *
     * @param resourceType the custom resource's type, such as {@code Custom::EcrRegistryPolicyStatements}
     * @param handler the handler's folder under {@code handlers/}
     * @param logRetention how long the handler's logs are kept, or {@code null} for a year
     * @param whatItLogs what the handler's log holds, for its log group's cdk-nag acknowledgement
     * @param function what differs from one setting's handler to another: descriptions, statements, wildcards and
     *     limits
     * @param partProperty the property that holds this construct's part
     * @param part the part, as the handler takes it, rendered at synthesis
     * @return the custom resource
     */
    final CustomResource mergedResource(String resourceType, String handler, RetentionDays logRetention,
            String whatItLogs, UnaryOperator<HandlerFunction.Builder> function, String partProperty,
            Supplier<Object> part) {
        String invokedByCloudFormation = "The handler runs only when CloudFormation deploys this stack's "
                + settingName + ", once per deployment.";
        HandlerFunction created = function.apply(HandlerFunction.builder(this, handler)
                        .logRetention(logRetention != null ? logRetention : RetentionDays.ONE_YEAR)
                        .reasons(invokedByCloudFormation, invokedByCloudFormation
                                + " CloudFormation receives every failure as the custom resource's status.", whatItLogs))
                .create();
        Stack stack = facts.stack();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("Owner", owner);
        properties.put("OwnerScope", OWNER_SCOPE);
        properties.put(partProperty, Lazy.string(() -> stack.toJsonString(part.get())));
        return CustomResource.Builder.create(this, "Resource")
                .serviceToken(created.function().getFunctionArn())
                .resourceType(resourceType)
                .properties(properties)
                .build();
    }

    /**
     * The plain CloudFormation resource of a replaced setting, retained: deleting the stack must not remove what
     * the registry's pulls and replication rest on.
     *
     * @param resource the resource, child {@code Resource}
     * @param <R> its type
     * @return the resource
     */
    static <R extends CfnResource> R retained(R resource) {
        resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
        return resource;
    }

    /** @return whether this construct owns the whole setting */
    final boolean isReplacing() {
        return replacing;
    }

    private String modeName() {
        return replacing ? "REPLACE" : "MERGE";
    }

    /** @return the constructs of this one's class in its registry, itself included, across every stack of the app */
    final List<RegistrySetting> inRegistry() {
        return facts.registryIndex().of(kind, facts);
    }

    /**
     * The name that sets this construct's parts of the setting apart from every other writer's: {@code Ptc} and 8 hex
     * digits of the hash of the stack's name and this construct's path. In a merged setting the handler combines it
     * with the id of the deployed stack, so that two deployments of one template never share a part either.
     *
     * @return the owner, such as {@code Ptc1a2b3c4d}
     */
    public String getOwner() {
        return owner;
    }

    /** @return the custom resource (merged) or the plain CloudFormation resource (replaced) */
    public abstract IConstruct getResource();
}
