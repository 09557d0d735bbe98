package io.github.pullthroughcache.registry;

import io.github.pullthroughcache.internal.RegistryIndex;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.ServiceRole;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.SynthTime;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.internal.WholeDays;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.CfnTag;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Resource;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ecr.CfnRepositoryCreationTemplate;
import software.amazon.awscdk.services.ecr.LifecycleRule;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ResourcePolicyValidationOptions;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

/**
 * A repository creation template: the settings (encryption, tag mutability, lifecycle, repository policy, tags)
 * that ECR gives a repository it creates by itself under a prefix, on a pull through the cache, a replication
 * or a push.
 *
 * <pre>
 * new RepositoryCreationTemplate(this, "QuayTemplate", RepositoryCreationTemplateProps.builder()
 *     .prefix("quay")
 *     .encryption(TemplateEncryption.KMS_NEW_KEY)
 *     .lifecycleRules(List.of(CreationTemplateOptions.EXPIRE_UNTAGGED_AFTER_14_DAYS))
 *     .build());
 * </pre>
 *
 * <p>A template acts only when ECR creates a repository: repositories that already exist keep their settings,
 * and their encryption can never change. Create the template before the first pull (a rule's
 * {@code addCreationTemplate} makes the rule wait for it).
 *
 * <p>Children: {@code Resource} (the {@code AWS::ECR::RepositoryCreationTemplate}); {@code Key} for
 * {@link TemplateEncryption#KMS_NEW_KEY}; {@code CustomRole} and {@code CustomRolePolicy} when KMS or tags need a
 * role and none is given.
 */
public class RepositoryCreationTemplate extends Resource {

    /** Longest description ECR accepts. */
    public static final int MAX_DESCRIPTION_LENGTH = 256;
    /** Most resource tags ECR accepts. */
    public static final int MAX_TAGS = 50;
    /** Most tag mutability exclusion filters ECR accepts. */
    public static final int MAX_EXCLUSION_FILTERS = 5;
    /** Longest repository policy ECR accepts. */
    public static final int MAX_REPOSITORY_POLICY_LENGTH = 10_240;
    /** Longest template prefix ECR accepts. */
    public static final int MAX_PREFIX_LENGTH = 256;

    private static final String ECR_PRINCIPAL = "ecr.amazonaws.com";
    private static final Pattern EXCLUSION_FILTER = Pattern.compile("[0-9a-zA-Z._*-]{1,128}");
    private static final RegistryIndex.Kind<RepositoryCreationTemplate> TEMPLATES =
            new RegistryIndex.Kind<>("repository creation template");

    private final StackFacts facts;
    private final Stack stack;
    private PolicyDocument repositoryPolicy;
    private final Map<String, String> resourceTags;
    private boolean lazyLifecyclePolicy;
    private boolean validationAdded;
    /** The lifecycle policy JSON: kept current while literal; rendered at synthesis when lazy. */
    private String renderedLifecyclePolicy;
    private final String prefix;
    private final List<AppliedFor> appliedFor;
    private final TemplateEncryption encryption;
    private final IKey encryptionKey;
    private final TagMutability imageTagMutability;
    private final IRole customRole;
    private final LifecyclePolicy lifecyclePolicy;
    private final CfnRepositoryCreationTemplate resource;

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the prefix and the settings
     */
    public RepositoryCreationTemplate(Construct scope, String id, RepositoryCreationTemplateProps props) {
        super(scope, id);
        this.facts = StackFacts.of(scope);
        this.stack = facts.stack();
        this.prefix = props.getPrefix();
        this.appliedFor = appliedFor(props.getAppliedFor());
        this.encryption = props.getEncryption() != null ? props.getEncryption() : TemplateEncryption.AES_256;
        this.imageTagMutability = props.getImageTagMutability() != null
                ? props.getImageTagMutability() : TagMutability.MUTABLE;
        Map<String, String> tags = props.getResourceTags() != null ? props.getResourceTags() : Map.of();
        this.resourceTags = Map.copyOf(tags);
        validate(props, tags);
        register();

        this.lifecyclePolicy = new LifecyclePolicy("RepositoryCreationTemplateProps.lifecycleRules");
        if (props.getLifecycleRules() != null) {
            props.getLifecycleRules().forEach(lifecyclePolicy::add);
        }
        if (props.getArchiveUnpulledAfter() != null) {
            lifecyclePolicy.archiveUnpulledAfter(WholeDays.of("archiveUnpulledAfter", props.getArchiveUnpulledAfter()));
        }
        this.encryptionKey = encryption.createsKey() ? createKey() : encryption.getKey();
        ServiceRole created = props.getCustomRole() == null && (encryption.isKms() || !tags.isEmpty())
                ? createCustomRole(!tags.isEmpty()) : null;
        this.customRole = created != null ? created.role() : props.getCustomRole();

        this.repositoryPolicy = props.getRepositoryPolicy();
        // rendered in Java when no rule holds a token; else rendered by the stack at synthesis
        this.lazyLifecyclePolicy = !lifecyclePolicy.isLiteral();
        this.renderedLifecyclePolicy = lazyLifecyclePolicy ? null : lifecyclePolicy.renderLiteral();
        this.resource = CfnRepositoryCreationTemplate.Builder.create(this, "Resource")
                .prefix(prefix)
                .appliedFor(appliedFor.stream().map(AppliedFor::name).toList())
                .description(props.getDescription())
                .encryptionConfiguration(CfnRepositoryCreationTemplate.EncryptionConfigurationProperty.builder()
                        .encryptionType(encryption.getType())
                        .kmsKey(encryptionKey == null ? null : encryptionKey.getKeyArn())
                        .build())
                .imageTagMutability(imageTagMutability.name())
                .imageTagMutabilityExclusionFilters(exclusionFilters(props.getImageTagMutabilityExclusionFilters()))
                .lifecyclePolicy(lazyLifecyclePolicy ? Lazy.string(this::renderedLifecyclePolicy) : renderedLifecyclePolicy)
                .repositoryPolicy(repositoryPolicy == null ? null : stack.toJsonString(repositoryPolicy))
                .resourceTags(tags.isEmpty() ? null : tags.entrySet().stream()
                        .map(tag -> CfnTag.builder().key(tag.getKey()).value(tag.getValue()).build())
                        .toList())
                .customRoleArn(customRole == null ? null : customRole.getRoleArn())
                .build();
        if (created != null) {
            // ECR may use the role as soon as the template exists: its policy must be there first
            resource.getNode().addDependency(created.role(), created.policy());
        }

        // a validation costs jsii round trips at every synthesis: only where there is something to check then
        if (repositoryPolicy != null || lazyLifecyclePolicy || LifecyclePolicy.tooLong(renderedLifecyclePolicy)) {
            addValidationOnce();
        }
        if (appliedFor.contains(AppliedFor.PULL_THROUGH_CACHE)) {
            warnAboutImmutableTags();
            // a rule added later may serve the prefix: look again before synthesis, unless one serves it already
            if (facts.registryIndex().rulesServing(facts, prefix).isEmpty()) {
                SynthTime.beforeSynth(this, this::warnAboutUnservedPrefix);
            }
        }
    }

    /**
     * Adds a lifecycle rule, as {@code ecr.Repository#addLifecycleRule} does.
     *
     * @param rule the rule
     * @throws IllegalArgumentException when ECR would refuse it with the rules before it
     */
    public void addLifecycleRule(LifecycleRule rule) {
        lifecyclePolicy.add(rule);
        if (lazyLifecyclePolicy) {
            return;
        }
        if (lifecyclePolicy.isLiteral()) {
            this.renderedLifecyclePolicy = lifecyclePolicy.renderLiteral();
            resource.setLifecyclePolicy(renderedLifecyclePolicy);
            if (LifecyclePolicy.tooLong(renderedLifecyclePolicy)) {
                addValidationOnce();
            }
        } else {
            this.lazyLifecyclePolicy = true;
            this.renderedLifecyclePolicy = null;
            resource.setLifecyclePolicy(Lazy.string(this::renderedLifecyclePolicy));
            addValidationOnce();
        }
    }

    /**
     * Adds a statement to the repository policy of every repository the template creates (a statement of its own
     * per concern; the document stays within ECR's 10,240 characters). A statement with the principal {@code *}
     * needs an {@code aws:PrincipalOrgID} or {@code aws:PrincipalOrgPaths} condition ({@link CacheConsumers}).
     *
     * @param statement the statement; it names no resource, since it applies to its repository
     */
    public void addToRepositoryPolicy(PolicyStatement statement) {
        if (repositoryPolicy == null) {
            this.repositoryPolicy = new PolicyDocument();
            resource.setRepositoryPolicy(stack.toJsonString(repositoryPolicy));
        }
        repositoryPolicy.addStatements(statement);
        addValidationOnce();
    }

    private void addValidationOnce() {
        if (!validationAdded) {
            this.validationAdded = true;
            getNode().addValidation(this::validateAtSynth);
        }
    }

    private static List<AppliedFor> appliedFor(List<AppliedFor> given) {
        if (given == null) {
            return List.of(AppliedFor.PULL_THROUGH_CACHE);
        }
        if (given.isEmpty() || new LinkedHashSet<>(given).size() != given.size()) {
            throw new IllegalArgumentException("RepositoryCreationTemplateProps.appliedFor " + given + " is invalid: "
                    + "expected one or more of " + List.of(AppliedFor.values()) + ", each once");
        }
        return given;
    }

    private void validate(RepositoryCreationTemplateProps props, Map<String, String> tags) {
        if (prefix == null) {
            throw new IllegalArgumentException("RepositoryCreationTemplateProps.prefix is required: a repository "
                    + "prefix such as 'quay', or ROOT for every repository no other template matches");
        }
        RepositoryPrefix.validate("RepositoryCreationTemplateProps.prefix", prefix, null, 1, MAX_PREFIX_LENGTH);
        String description = props.getDescription();
        if (description != null && !Tokens.isUnresolved(description) && description.length() > MAX_DESCRIPTION_LENGTH) {
            throw new IllegalArgumentException("RepositoryCreationTemplateProps.description is " + description.length()
                    + " characters long ('" + description.substring(0, 40) + "...'): ECR accepts at most "
                    + MAX_DESCRIPTION_LENGTH);
        }
        if (tags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("RepositoryCreationTemplateProps.resourceTags has " + tags.size()
                    + " tags: ECR accepts at most " + MAX_TAGS);
        }
        tags.forEach((key, value) -> {
            if (!Tokens.isUnresolved(key) && (key.isEmpty() || key.length() > 128)) {
                throw new IllegalArgumentException("RepositoryCreationTemplateProps.resourceTags key '" + key
                        + "' is invalid: expected 1 to 128 characters");
            }
            if (value == null || (!Tokens.isUnresolved(value) && value.length() > 256)) {
                throw new IllegalArgumentException("RepositoryCreationTemplateProps.resourceTags value of '" + key
                        + "' is invalid: expected 0 to 256 characters, got " + (value == null ? "null" : value.length()));
            }
        });
        validateExclusionFilters(props.getImageTagMutabilityExclusionFilters());
    }

    private void validateExclusionFilters(List<String> filters) {
        boolean withExclusion = imageTagMutability == TagMutability.IMMUTABLE_WITH_EXCLUSION
                || imageTagMutability == TagMutability.MUTABLE_WITH_EXCLUSION;
        String property = "RepositoryCreationTemplateProps.imageTagMutabilityExclusionFilters";
        if (withExclusion && (filters == null || filters.isEmpty())) {
            throw new IllegalArgumentException(property + " is required with imageTagMutability " + imageTagMutability
                    + ": give 1 to " + MAX_EXCLUSION_FILTERS + " wildcard filters such as 'latest' or 'dev-*'");
        }
        if (!withExclusion && filters != null) {
            throw new IllegalArgumentException(property + " " + filters + " needs imageTagMutability "
                    + "IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not " + imageTagMutability);
        }
        if (filters == null) {
            return;
        }
        if (filters.size() > MAX_EXCLUSION_FILTERS) {
            throw new IllegalArgumentException(property + " has " + filters.size() + " filters " + filters
                    + ": ECR accepts at most " + MAX_EXCLUSION_FILTERS);
        }
        for (String filter : filters) {
            if (filter == null || (!Tokens.isUnresolved(filter) && !EXCLUSION_FILTER.matcher(filter).matches())) {
                throw new IllegalArgumentException(property + " filter '" + filter + "' is invalid: expected 1 to "
                        + "128 letters, digits, '.', '_', '-' or the wildcard '*'");
            }
        }
    }

    private void register() {
        RegistryIndex index = facts.registryIndex();
        RepositoryPrefix.checkUnused("RepositoryCreationTemplateProps.prefix", this, prefix, facts,
                index.of(TEMPLATES, facts), RepositoryCreationTemplate::getPrefix, template -> template, TEMPLATES.toString());
        index.add(TEMPLATES, facts, this);
    }

    private static List<CfnRepositoryCreationTemplate.ImageTagMutabilityExclusionFilterProperty> exclusionFilters(
            List<String> filters) {
        return filters == null ? null : filters.stream()
                .map(filter -> CfnRepositoryCreationTemplate.ImageTagMutabilityExclusionFilterProperty.builder()
                        .imageTagMutabilityExclusionFilterType("WILDCARD")
                        .imageTagMutabilityExclusionFilterValue(filter)
                        .build())
                .toList();
    }

    private Key createKey() {
        return TemplateEncryption.createKey(this, "Key", "Encrypts the repositories Amazon ECR creates under " + prefix);
    }

    private ServiceRole createCustomRole(boolean tags) {
        String repositories = RepositoryPrefix.repositoryArn(facts, null, null, prefix);
        List<String> repositoryActions = new ArrayList<>(List.of("ecr:CreateRepository"));
        if (tags) {
            repositoryActions.add("ecr:TagResource");
        }
        if (appliedFor.contains(AppliedFor.REPLICATION)) {
            repositoryActions.add("ecr:ReplicateImage");
        }
        List<PolicyStatement> statements = new ArrayList<>(List.of(PolicyStatement.Builder.create()
                .sid("CreateRepositories")
                .actions(repositoryActions)
                .resources(List.of(repositories))
                .build()));
        List<String> wildcards = new ArrayList<>(List.of(repositories));
        if (encryption.isKms()) {
            // the AWS managed key's id is not known before deployment: any key of this account and region
            String key = encryptionKey != null ? encryptionKey.getKeyArn() : stack.formatArn(ArnComponents.builder()
                    .service("kms").resource("key").resourceName("*").build());
            if (encryptionKey == null) {
                wildcards.add(key);
            }
            statements.add(PolicyStatement.Builder.create()
                    .sid("UseKey")
                    .actions(List.of("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"))
                    .resources(List.of(key))
                    .build());
        }
        return ServiceRole.builder(this, ECR_PRINCIPAL)
                .descriptions("Assumed by Amazon ECR to create repositories under " + prefix + " from their creation "
                        + "template", "What Amazon ECR needs to create repositories under " + prefix
                        + " with KMS encryption or tags")
                .statements(statements)
                .wildcards("ECR creates any repository under the template's prefix, named by the image; the AWS "
                        + "managed key aws/ecr has no ARN known before deployment.", wildcards)
                .create();
    }

    /**
     * The policy: the literal held since the last rule was added, or, for a rule with a token, rendered by the
     * stack once, at synthesis, when no rule can be added any more.
     */
    private String renderedLifecyclePolicy() {
        if (lazyLifecyclePolicy && renderedLifecyclePolicy == null) {
            this.renderedLifecyclePolicy = lifecyclePolicy.render(stack);
        }
        return renderedLifecyclePolicy;
    }

    private List<String> validateAtSynth() {
        List<String> errors = new ArrayList<>(lifecyclePolicy.validateLength(stack, renderedLifecyclePolicy()));
        if (repositoryPolicy != null) {
            for (String error : repositoryPolicy.validateForResourcePolicy(
                    // a repository policy applies to its repository: its statements name no resource
                    ResourcePolicyValidationOptions.builder().skipResourceValidation(true).build())) {
                errors.add("RepositoryCreationTemplateProps.repositoryPolicy: " + error);
            }
            errors.addAll(everyoneWithoutOrganization(stack.resolve(repositoryPolicy.toJSON())));
            Object rendered = stack.resolve(stack.toJsonString(repositoryPolicy));
            if (rendered instanceof String text && text.length() > MAX_REPOSITORY_POLICY_LENGTH) {
                errors.add("RepositoryCreationTemplateProps.repositoryPolicy renders to " + text.length()
                        + " characters: ECR accepts at most " + MAX_REPOSITORY_POLICY_LENGTH);
            }
        }
        return errors;
    }

    /** A statement whose principal is everyone, unless an organization condition pins it, or NotPrincipal. */
    private static List<String> everyoneWithoutOrganization(Object document) {
        List<String> errors = new ArrayList<>();
        if (document instanceof Map<?, ?> map && map.get("Statement") instanceof List<?> statements) {
            for (Object statement : statements) {
                if (!(statement instanceof Map<?, ?> json)) {
                    continue;
                }
                if (json.containsKey("NotPrincipal")) {
                    errors.add("RepositoryCreationTemplateProps.repositoryPolicy statement " + json.get("Sid")
                            + " uses NotPrincipal: name the principals that may use the repositories instead");
                } else if (CacheConsumers.namesEveryone(json.get("Principal"))
                        && !CacheConsumers.pinsOrganization(json.get("Condition"))) {
                    errors.add("RepositoryCreationTemplateProps.repositoryPolicy statement " + json.get("Sid")
                            + " has the principal '*' without an aws:PrincipalOrgID or aws:PrincipalOrgPaths condition: "
                            + "name the accounts, or an organization (CacheConsumers.organization)");
                }
            }
        }
        return errors;
    }

    private void warnAboutImmutableTags() {
        if (imageTagMutability == TagMutability.IMMUTABLE || imageTagMutability == TagMutability.IMMUTABLE_WITH_EXCLUSION) {
            Annotations.of(this).addWarningV2("@pullthroughcache/creation-template:immutable-tags",
                    "RepositoryCreationTemplate " + getNode().getPath() + " makes the tags of pull through cache "
                            + "repositories " + imageTagMutability + ": ECR then cannot refresh a cached tag that "
                            + "moved upstream (such as 'latest'). Use MUTABLE, or MUTABLE_WITH_EXCLUSION for tags "
                            + "that must never move");
        }
    }

    private void warnAboutUnservedPrefix() {
        if (!RepositoryPrefix.ROOT.equals(prefix) && facts.registryIndex().rulesServing(facts, prefix).isEmpty()) {
            Annotations.of(this).addWarningV2("@pullthroughcache/creation-template:unserved-prefix",
                    "RepositoryCreationTemplate " + getNode().getPath() + " applies to pull through cache "
                            + "repositories under '" + prefix + "', which no pull through cache rule of this "
                            + "registry serves (rules: " + facts.registryIndex().of(RegistryIndex.RULES, facts) + ")");
        }
    }

    /** @return the tags the template gives the repositories it creates; empty for none */
    public Map<String, String> getResourceTags() {
        return resourceTags;
    }

    /** @return the repository prefix the template applies to */
    public String getPrefix() {
        return prefix;
    }

    /** @return when ECR applies the template */
    public List<AppliedFor> getAppliedFor() {
        return appliedFor;
    }

    /** @return the encryption */
    public TemplateEncryption getEncryption() {
        return encryption;
    }

    /** @return the customer managed key (given or created), or {@code null} for AES-256 and the AWS managed key */
    public IKey getEncryptionKey() {
        return encryptionKey;
    }

    /** @return the role ECR assumes (given or created), or {@code null} when none is needed */
    public IRole getCustomRole() {
        return customRole;
    }

    /** @return the L1 resource */
    public CfnRepositoryCreationTemplate getResource() {
        return resource;
    }
}
