package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.RegistryIndex;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.SynthTime;
import io.github.pullthroughcache.internal.Tokens;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.CfnRegistryPolicy;
import software.amazon.awscdk.services.iam.AccountPrincipal;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The statements a stack puts in its account's one ECR registry policy.
 *
 * <pre>
 * RegistryPolicy.of(this).allowPullThroughCache("quay", List.of(taskExecutionRole));
 * RegistryPolicy.of(this).allowReplicationFrom("222222222222");
 * </pre>
 *
 * <p>ECR has one registry policy per account and region, and CloudFormation's
 * {@code AWS::ECR::RegistryPolicy} treats it as one resource: creating it fails when a policy exists, an
 * update replaces the whole document, a delete removes all of it. In {@link RegistryPolicyMode#MERGE} (the
 * default) a custom resource (child {@code Resource}, type {@code Custom::EcrRegistryPolicyStatements}) owns
 * only this stack's statements, by Sid, and keeps every other statement as ECR returned it. In
 * {@link RegistryPolicyMode#REPLACE} child {@code Resource} is a plain {@code AWS::ECR::RegistryPolicy},
 * retained when the stack is deleted.
 *
 * <p>Every statement's Sid is its name (letters and digits) after an owner of the deployed stack: in MERGE, the
 * handler makes the owner of {@link #getOwner()} (the stack's name and this construct's path) and the id of the
 * deployed stack, so two deployments of one app into one registry never touch each other's statements; in REPLACE,
 * the Sid starts with {@link #getOwner()}. The document is rendered once, at synthesis, so statements and principals
 * may be added in any order.
 */
public class RegistryPolicy extends RegistrySetting {

    /** The id {@link #of(IConstruct)} gives the policy it creates. */
    public static final String DEFAULT_ID = "RegistryPolicy";

    /** What a scoped registry policy grants: pull through cache and replication into this registry. */
    public static final Set<String> SCOPED_ACTIONS =
            Set.of("ecr:CreateRepository", "ecr:BatchImportUpstreamImage", "ecr:ReplicateImage");

    private static final List<String> PULL_THROUGH_CACHE_ACTIONS =
            List.of("ecr:CreateRepository", "ecr:BatchImportUpstreamImage");
    private static final List<String> REPLICATION_ACTIONS = List.of("ecr:CreateRepository", "ecr:ReplicateImage");
    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");
    private static final Pattern REPOSITORY_ARN = Pattern.compile("^arn:[^:]+:ecr:[^:]*:[^:]*:repository/(.+)/\\*$");
    private static final Pattern NOT_ALPHANUMERIC = Pattern.compile("[^A-Za-z0-9]");

    /** The index's kind of the registry policies: {@link RegistrySetting} counts each subclass as one. */
    private static final RegistryIndex.Kind<RegistrySetting> POLICIES =
            new RegistryIndex.Kind<>(RegistryPolicy.class.getName());

    private final StackFacts facts;
    private final Stack stack;
    private final RegistryPolicyMode mode;
    private final List<OwnedStatement> statements = new ArrayList<>();
    private final IConstruct resource;

    /**
     * A statement of this policy: its name (the Sid after the owner), and the repository prefix it is for when one
     * is known.
     */
    private record OwnedStatement(String name, PolicyStatement statement, String prefix) {
    }

    /**
     * A construct with every prop at its default.
     *
     * @param scope a construct of the stack
     * @param id the construct id
     */
    public RegistryPolicy(Construct scope, String id) {
        this(scope, id, RegistryPolicyProps.builder().build());
    }

    /**
     * @param scope a construct of the stack; the policy belongs to the stack
     * @param id the construct id
     * @param props the mode
     */
    public RegistryPolicy(Construct scope, String id, RegistryPolicyProps props) {
        super(scope, id, "registry policy", props.getMode() == RegistryPolicyMode.REPLACE);
        this.facts = StackFacts.of(this);
        this.stack = facts.stack();
        this.mode = isReplacing() ? RegistryPolicyMode.REPLACE : RegistryPolicyMode.MERGE;
        for (RegistrySetting other : inRegistry()) {
            if (other != this && ((RegistryPolicy) other).stack == stack) {
                throw new IllegalArgumentException("Stack " + stack.getNode().getPath() + " already has registry policy "
                        + other.getNode().getPath() + ": a stack has one; add statements to it with "
                        + "RegistryPolicy.of(scope)");
            }
        }
        this.resource = isReplacing() ? createReplaceResource() : createMergeResource(props.getLogRetention());
        getNode().addValidation(this::validate);
        SynthTime.beforeSynth(this, this::warnAboutUnservedPrefixes);
    }

    /**
     * The registry policy of a construct's stack: the one created for the stack before, or a new one in
     * {@link RegistryPolicyMode#MERGE} named {@value #DEFAULT_ID}.
     *
     * @param scope any construct of the stack
     * @return the stack's registry policy
     */
    public static RegistryPolicy of(IConstruct scope) {
        Stack stack = scope instanceof Stack given ? given : Stack.of(scope);
        if (stack.getNode().tryFindChild(DEFAULT_ID) instanceof RegistryPolicy created) {
            return created;
        }
        // one created elsewhere in the stack, under an id of its own
        StackFacts facts = StackFacts.of(stack);
        return facts.registryIndex().of(POLICIES, facts).stream().map(RegistryPolicy.class::cast)
                .filter(policy -> policy.stack == stack)
                .findFirst().orElseGet(() -> new RegistryPolicy(stack, DEFAULT_ID));
    }

    private IConstruct createMergeResource(RetentionDays logRetention) {
        return mergedResource("Custom::EcrRegistryPolicyStatements", "registry-policy", logRetention,
                "The log holds request types and error messages, never policy text or credentials;",
                function -> function
                        .descriptions("Custom::EcrRegistryPolicyStatements: merges stack " + stack.getNode().getPath()
                                + "'s statements into the ECR registry policy",
                                "ECR registry policy reads and writes, and the handler's own log group")
                        .statements(List.of(PolicyStatement.Builder.create()
                                .sid("RegistryPolicy")
                                .actions(List.of("ecr:GetRegistryPolicy", "ecr:PutRegistryPolicy",
                                        "ecr:DeleteRegistryPolicy"))
                                .resources(List.of("*"))
                                .build()))
                        .wildcards("ecr:GetRegistryPolicy, ecr:PutRegistryPolicy and ecr:DeleteRegistryPolicy act on "
                                + "the account's registry and take no resource ARN.", List.of("*"))
                        // long enough to wait out IAM propagating a principal created in the same deployment
                        .limits(Duration.minutes(5), 256),
                "Statements", this::render);
    }

    private IConstruct createReplaceResource() {
        return retained(CfnRegistryPolicy.Builder.create(this, "Resource")
                .policyText(Lazy.any(() -> Map.of("Version", "2012-10-17", "Statement", render())))
                .build());
    }

    /**
     * Adds statements, each with a Sid of this policy: the owner of the deployed stack followed by the statement's
     * own Sid (its letters and digits), or by its position when it has none.
     *
     * <p>Each statement needs a principal, and none may be {@code *}. An action outside pull through cache
     * and replication ({@link #SCOPED_ACTIONS}) gets a warning.
     *
     * @param policyStatements the statements
     */
    public void addStatements(PolicyStatement... policyStatements) {
        for (PolicyStatement statement : policyStatements) {
            String sid = statement.getSid() != null && !Tokens.isUnresolved(statement.getSid())
                    ? statement.getSid() : "Statement" + (statements.size() + 1);
            add(sid, statement, null);
        }
    }

    /**
     * Lets principals fill the cache under a repository prefix: {@code ecr:CreateRepository} and
     * {@code ecr:BatchImportUpstreamImage} on {@code arn:<partition>:ecr:<region>:<account>:repository/<prefix>/*}.
     * Calling it again for the prefix adds the principals to the same statement.
     *
     * @param repositoryPrefix a pull through cache rule's prefix
     * @param pullers roles, users or accounts that pull through the cache
     * @return the statement
     */
    public PolicyStatement allowPullThroughCache(String repositoryPrefix, List<? extends IGrantable> pullers) {
        RepositoryPrefix.validate("RegistryPolicy.allowPullThroughCache: repositoryPrefix", repositoryPrefix, null);
        String sid = "PullThroughCache" + sidText(repositoryPrefix);
        PolicyStatement statement = find(sid);
        if (statement == null) {
            statement = PolicyStatement.Builder.create()
                    .actions(PULL_THROUGH_CACHE_ACTIONS)
                    .resources(List.of(RepositoryPrefix.repositoryArn(facts, null, null, repositoryPrefix)))
                    .build();
            add(sid, statement, repositoryPrefix);
        }
        statement.addPrincipals(principals(pullers).toArray(IPrincipal[]::new));
        return statement;
    }

    /**
     * Lets the accounts of an organization, of its units, or named accounts fill the cache under a prefix:
     * {@code ecr:CreateRepository} and {@code ecr:BatchImportUpstreamImage} on {@code repository/<prefix>/*} only, in
     * a statement of its own ({@code ShareWith<prefix>}), its {@code *} principal pinned by the organization condition.
     *
     * @param repositoryPrefix a pull through cache rule's prefix
     * @param consumers who may pull through it
     * @return the statement
     */
    public PolicyStatement allowConsumers(String repositoryPrefix, CacheConsumers consumers) {
        RepositoryPrefix.validate("RegistryPolicy.allowConsumers: repositoryPrefix", repositoryPrefix, null);
        String sid = "ShareWith" + sidText(repositoryPrefix);
        PolicyStatement existing = find(sid);
        if (existing != null) {
            throw new IllegalArgumentException("RegistryPolicy " + getNode().getPath() + " shares prefix '"
                    + repositoryPrefix + "' already: share a cache once, with every consumer in one CacheConsumers");
        }
        PolicyStatement statement = consumers.statement(sid)
                .actions(PULL_THROUGH_CACHE_ACTIONS)
                .resources(List.of(RepositoryPrefix.repositoryArn(facts, null, null, repositoryPrefix)))
                .build();
        add(sid, statement, repositoryPrefix);
        return statement;
    }

    /**
     * Lets another account replicate into this registry: {@code ecr:CreateRepository} and
     * {@code ecr:ReplicateImage} for that account on this registry's repositories, as ECR's cross-account
     * replication needs.
     *
     * @param sourceAccount the 12-digit account whose registry replicates here
     * @return the statement
     */
    public PolicyStatement allowReplicationFrom(String sourceAccount) {
        if (sourceAccount == null || (!Tokens.isUnresolved(sourceAccount) && !ACCOUNT.matcher(sourceAccount).matches())) {
            throw new IllegalArgumentException("RegistryPolicy.allowReplicationFrom: sourceAccount '" + sourceAccount
                    + "' is invalid: expected a 12-digit AWS account ID");
        }
        String sid = "ReplicationFrom" + sidText(sourceAccount);
        PolicyStatement existing = find(sid);
        if (existing != null) {
            return existing;
        }
        PolicyStatement statement = PolicyStatement.Builder.create()
                .actions(REPLICATION_ACTIONS)
                .principals(List.of(new AccountPrincipal(sourceAccount)))
                .resources(List.of(RepositoryPrefix.repositoryArn(facts, null, null, RepositoryPrefix.ROOT)))
                .build();
        add(sid, statement, null);
        return statement;
    }

    private void add(String sid, PolicyStatement statement, String prefix) {
        String name = nameOf(sid);
        String ownedSid = getOwner() + name;
        if (find(sid) != null) {
            throw new IllegalArgumentException("RegistryPolicy " + getNode().getPath() + ": Sid '" + sid
                    + "' is already used by another statement of this policy; give each statement its own Sid");
        }
        checkPrincipals(ownedSid, statement);
        warnAboutUnscopedActions(ownedSid, statement);
        if (mode == RegistryPolicyMode.REPLACE && CacheConsumers.namesEveryone(asMap(statement.toStatementJson()).get("Principal"))) {
            // checkPrincipals let the star through only under an organization condition
            NagAcknowledgements.acknowledge(resource, "AwsSolutions-ECR1", "The principal '*' of statement " + ownedSid
                    + " is pinned to an AWS Organization by an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition: "
                    + "the accounts of that organization may fill the cache, nobody else.");
        }
        statements.add(new OwnedStatement(name, statement, prefix != null ? prefix : literalPrefix(statement)));
    }

    private PolicyStatement find(String sid) {
        String name = nameOf(sid);
        return statements.stream().filter(s -> s.name().equals(name)).map(OwnedStatement::statement)
                .findFirst().orElse(null);
    }

    private List<Object> render() {
        List<Object> out = new ArrayList<>();
        for (OwnedStatement owned : statements) {
            Map<String, Object> json = new LinkedHashMap<>();
            // merged, the handler puts the owner of the deployed stack before the name
            json.put("Sid", isReplacing() ? getOwner() + owned.name() : owned.name());
            asMap(owned.statement().toStatementJson()).forEach((key, value) -> {
                if (!key.equals("Sid")) {
                    json.put(key, value);
                }
            });
            out.add(json);
        }
        return out;
    }

    private List<String> validate() {
        List<String> errors = new ArrayList<>();
        for (OwnedStatement owned : statements) {
            String problem = principalProblem(owned.statement());
            if (problem != null) {
                errors.add("RegistryPolicy statement " + getOwner() + owned.name() + " " + problem);
            }
        }
        if (mode == RegistryPolicyMode.REPLACE && statements.isEmpty()) {
            errors.add("RegistryPolicy " + getNode().getPath() + " (REPLACE) has no statements, and ECR refuses an "
                    + "empty registry policy: add statements, or remove the policy");
        }
        return errors;
    }

    private static void checkPrincipals(String sid, PolicyStatement statement) {
        String problem = principalProblem(statement);
        if (problem != null) {
            throw new IllegalArgumentException("RegistryPolicy statement " + sid + " " + problem);
        }
    }

    /** Why a statement's principals are not acceptable in the registry policy, or null. */
    private static String principalProblem(PolicyStatement statement) {
        Map<String, Object> json = asMap(statement.toStatementJson());
        if (json.containsKey("NotPrincipal")) {
            return "uses NotPrincipal: name the principals that may use the registry instead";
        }
        Object principal = json.get("Principal");
        if (principal == null) {
            // principals may still be added; checked again at synthesis
            return null;
        }
        if (CacheConsumers.namesEveryone(principal) && !CacheConsumers.pinsOrganization(json.get("Condition"))) {
            return "has the principal '*' (" + principal + ") without an aws:PrincipalOrgID or aws:PrincipalOrgPaths "
                    + "condition: the registry policy names the roles, users or accounts that may fill the cache or "
                    + "replicate, or an organization (CacheConsumers.organization), never everyone";
        }
        return null;
    }


    private void warnAboutUnscopedActions(String sid, PolicyStatement statement) {
        List<String> outside = new ArrayList<>();
        for (String action : statement.getActions()) {
            if (!SCOPED_ACTIONS.contains(action)) {
                outside.add(action);
            }
        }
        if (!outside.isEmpty()) {
            Annotations.of(this).addWarningV2("@pullthroughcache/registry-policy:unscoped-action",
                    "RegistryPolicy statement " + sid + " grants " + outside + ", outside pull through cache and "
                            + "replication " + SCOPED_ACTIONS.stream().sorted().toList() + ": the registry policy "
                            + "applies to every repository of the account; grant other actions in identity or "
                            + "repository policies");
        }
    }

    private void warnAboutUnservedPrefixes() {
        for (OwnedStatement owned : statements) {
            String prefix = owned.prefix();
            if (prefix != null && facts.registryIndex().rulesServing(facts, prefix).isEmpty()) {
                Annotations.of(this).addWarningV2("@pullthroughcache/registry-policy:unserved-prefix",
                        "RegistryPolicy statement " + getOwner() + owned.name() + " is for repository prefix '" + prefix
                                + "', which no pull through cache rule of this registry serves (rules: "
                                + facts.registryIndex().of(RegistryIndex.RULES, facts) + ")");
            }
        }
    }

    /** The prefix of a statement whose resource is a literal {@code ...:repository/<prefix>/*} ARN. */
    private static String literalPrefix(PolicyStatement statement) {
        for (String resource : statement.getResources()) {
            if (!Tokens.isUnresolved(resource)) {
                Matcher matcher = REPOSITORY_ARN.matcher(resource);
                if (matcher.matches()) {
                    return matcher.group(1);
                }
            }
        }
        return null;
    }

    private static List<IPrincipal> principals(List<? extends IGrantable> grantables) {
        List<IPrincipal> out = new ArrayList<>();
        for (IGrantable grantable : grantables) {
            out.add(grantable.getGrantPrincipal());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object json) {
        return (Map<String, Object>) json;
    }

    /** Letters and digits of a text; a hash suffix keeps two texts that differ only in punctuation apart. */
    private static String sidText(String text) {
        String alphanumeric = NOT_ALPHANUMERIC.matcher(text).replaceAll("");
        return alphanumeric.equals(text) ? text : alphanumeric + ConstructIds.sha256Hex(text).substring(0, 6);
    }

    /**
     * A statement's name in the policy: its Sid's letters and digits, starting with an upper-case letter, which tells
     * the handler a name of a stack's own from a Sid of the scheme before owners per deployed stack.
     */
    private static String nameOf(String sid) {
        String text = sidText(sid);
        return !text.isEmpty() && Character.isUpperCase(text.charAt(0)) ? text
                : !text.isEmpty() && Character.isLetter(text.charAt(0))
                        ? text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1) : "Sid" + text;
    }


    /** @return the mode */
    public RegistryPolicyMode getMode() {
        return mode;
    }

    /** @return the custom resource (MERGE) or the {@code CfnRegistryPolicy} (REPLACE) */
    @Override
    public IConstruct getResource() {
        return resource;
    }
}
