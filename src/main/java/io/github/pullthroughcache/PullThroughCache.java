package io.github.pullthroughcache;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.FactsScope;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.images.CacheWarmer;
import io.github.pullthroughcache.images.CacheWarmerOptions;
import io.github.pullthroughcache.images.ImageCopier;
import io.github.pullthroughcache.images.ImageCopierProps;
import io.github.pullthroughcache.kubernetes.RegistryMirrors;
import io.github.pullthroughcache.monitoring.CacheDashboard;
import io.github.pullthroughcache.monitoring.CacheMetrics;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.RegistryEndpoints;
import io.github.pullthroughcache.network.RegistryEndpointsProps;
import io.github.pullthroughcache.network.TemporaryNatGateway;
import io.github.pullthroughcache.network.TemporaryNatGatewayProps;
import io.github.pullthroughcache.operations.CachedRepositoryRemover;
import io.github.pullthroughcache.operations.CredentialCheck;
import io.github.pullthroughcache.operations.CredentialCheckProps;
import io.github.pullthroughcache.operations.ImageEvictor;
import io.github.pullthroughcache.operations.ImageEvictorProps;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicy;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.registry.RegistryPolicyProps;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.CopiedRegistry;
import io.github.pullthroughcache.rule.CopiedRegistryProps;
import io.github.pullthroughcache.rule.IPullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.IAlarmAction;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.Unit;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ecr.CfnPullTimeUpdateExclusion;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.ITopic;
import software.constructs.Construct;
import software.constructs.IDependable;

/**
 * A private Amazon ECR pull through cache in one call: a rule per upstream registry, a creation template per
 * rule, the registry policy statements of the pullers, and the network that lets a VPC without internet pull
 * through it.
 *
 * <pre>
 * PullThroughCache cache = new PullThroughCache(this, "Cache", PullThroughCacheProps.builder()
 *     .upstreams(List.of(UpstreamRegistry.ECR_PUBLIC, UpstreamRegistry.QUAY, UpstreamRegistry.KUBERNETES))
 *     .temporaryNat(true)
 *     .build());
 * taskDefinition.addContainer("Web", ContainerDefinitionOptions.builder()
 *     .image(cache.containerImage("public.ecr.aws/nginx/nginx:1.27"))
 *     ...
 * </pre>
 *
 * <p>Children, whose ids are part of the API: {@code Vpc} (unless a VPC is given), {@code Key} (for
 * {@code TemplateEncryption.KMS_NEW_KEY}), {@code Rules/<prefix in PascalCase>} (each with its
 * {@code CreationTemplate}), {@code Endpoints}, {@code TemporaryNat}, {@code Warmer} (a {@link CacheWarmer}, made with the
 * cache while warming is on: {@link PullThroughCacheProps.Builder#warm}), {@code Copied/<prefix in PascalCase>} and
 * {@code Copier} (an {@link ImageCopier}, made with the first copied registry), {@code CredentialCheck} (with the first
 * rule that has a credential), and once shared ({@link #shareWith}) the outputs
 * {@code SharedRegistry} and {@code SharedPrefixes}, whose stack output names are the cache's id before them
 * ({@code CacheSharedRegistry} for id {@code Cache}). The registry policy belongs to the stack
 * ({@link RegistryPolicy#of}). A cache of another stack, account or region: {@link #fromCacheAttributes}.
 */
public class PullThroughCache extends PullThroughCacheBase {

    private final Stack stack;
    private final IVpc vpc;
    private final CreationTemplateOptions creationTemplate;
    private final IKey key;
    private final Construct rulesScope;
    private final Map<String, PullThroughCacheRule> rules = new LinkedHashMap<>();
    private final Map<String, CopiedRegistry> copiedRegistries = new LinkedHashMap<>();
    private Construct copiedScope;
    /** The copier of the copied images (child {@code Copier}), made with the first copied registry. */
    private ImageCopier copier;
    private final List<IGrantable> pullers = new ArrayList<>();
    private CacheConsumers consumers;
    private final boolean warming;
    private final CacheWarmer warmer;
    private final CacheWarmerOptions warmerOptions;
    private final RegistryEndpoints endpoints;
    private final TemporaryNatGateway temporaryNat;
    private final String registryHost;
    private RegistryPolicy registryPolicy;
    private final CachedRepositoryRemover remover;
    private final ImageEvictor evictor;
    private final boolean validateCredentials;
    private final ITopic alarmTopic;
    private final List<IAlarmAction> alarmActions;
    private final List<IAlarmAction> okActions;
    private CredentialCheck credentialCheck;
    private CacheDashboard dashboard;

    /**
     * A cache with every prop at its default.
     *
     * @param scope the parent
     * @param id the construct id
     */
    public PullThroughCache(Construct scope, String id) {
        this(scope, id, null);
    }

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the upstreams, pullers, templates and network; all optional
     */
    public PullThroughCache(Construct scope, String id, PullThroughCacheProps props) {
        super(scope, id);
        PullThroughCacheProps given = props != null ? props : PullThroughCacheProps.builder().build();
        StackFacts facts = StackFacts.of(scope);
        this.stack = facts.stack();
        this.registryHost = facts.registryHost();
        // without a NAT gateway, only a warmer outside the VPC lets a first pull reach the upstream's CDN
        this.warming = given.getWarm() != null ? given.getWarm() : !given.isTemporaryNat();
        this.warmerOptions = given.getWarmerOptions();
        this.warmer = warming ? createWarmer(warmerOptions) : null;
        if (warmer != null) {
            // its metrics are the cache's, dashboard or not (a few custom metrics, billed each)
            warmer.getFunction().addEnvironment(CacheMetrics.ENVIRONMENT, CacheMetrics.cacheName(this));
        }
        if (warmer != null && given.getEvictUnpulledAfter() != null) {
            // warming is not use: its pulls leave lastRecordedPullTime as it is, for the evictor and for
            // sinceImagePulled (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-time-update-exclusions.html)
            CfnPullTimeUpdateExclusion.Builder.create(this, "WarmerPullTimeUpdateExclusion")
                    .principalArn(warmer.getFunction().getRole().getRoleArn())
                    .build();
        }
        if (given.getRegistryPolicyMode() == RegistryPolicyMode.REPLACE) {
            this.registryPolicy = new RegistryPolicy(stack, RegistryPolicy.DEFAULT_ID, RegistryPolicyProps.builder()
                    .mode(RegistryPolicyMode.REPLACE).build());
            runAfter(registryPolicy);
        }

        this.vpc = given.getVpc() != null ? given.getVpc() : new CacheVpc(this, "Vpc");

        CreationTemplateOptions template = given.getCreationTemplate();
        if (template.getEncryption() != null && template.getEncryption().createsKey()) {
            // one key for every rule's template, not one each
            this.key = TemplateEncryption.createKey(this, "Key", "Encrypts the repositories Amazon ECR pull through "
                    + "cache " + getNode().getPath() + " creates");
            template = CreationTemplateOptions.builder().options(template).encryption(TemplateEncryption.kms(key)).build();
        } else {
            this.key = null;
        }
        if (given.isRemoveCachedRepositoriesOnDestroy()) {
            // the mark by which the remover tells the repositories created for this cache from any other
            Map<String, String> tags = new LinkedHashMap<>(template.getResourceTags() != null ? template.getResourceTags() : Map.of());
            tags.put(CachedRepositoryRemover.TAG_KEY, CachedRepositoryRemover.tagFor(this));
            template = CreationTemplateOptions.builder().options(template).resourceTags(tags).build();
        }
        this.creationTemplate = template;
        // day 2: each reads what the cache serves, rules added later too
        if (given.getEvictUnpulledAfter() != null && template.getArchiveUnpulledAfter() != null) {
            Annotations.of(this).addWarningV2("@pullthroughcache/cache:archive-without-warmer-pulls", "PullThroughCache "
                    + getNode().getPath() + " archives images not pulled for " + template.getArchiveUnpulledAfter()
                    .toHumanString() + " and evicts, which excludes its warmer from pull-time updates: an image the "
                    + "app uses but pulls less often than that is archived, and its next pull answers 404 until it "
                    + "is restored. Leave archiveUnpulledAfter out, or make it longer than the app's pulls are apart");
        }
        this.remover = given.isRemoveCachedRepositoriesOnDestroy() ? new CachedRepositoryRemover(this,
                "CachedRepositoryRemover", this) : null;
        this.evictor = given.getEvictUnpulledAfter() == null ? null : new ImageEvictor(this, "Evictor",
                ImageEvictorProps.builder().options(given.getEvictionOptions()).cache(this)
                        .unpulledFor(given.getEvictUnpulledAfter()).build());
        this.validateCredentials = given.isValidateCredentials();
        this.alarmTopic = given.getAlarmTopic();
        this.alarmActions = given.getAlarmActions();
        this.okActions = given.getOkActions();
        for (String unused : given.getOptionsWithoutSwitch()) {
            Annotations.of(this).addWarningV2("@pullthroughcache/cache:option-without-switch", "PullThroughCacheProps."
                    + unused);
        }

        this.rulesScope = new FactsScope(this, "Rules", facts);
        for (UpstreamRegistry upstream : given.getUpstreams()) {
            if (upstream.isCopied()) {
                addCopiedRegistry(upstream, null);
            } else {
                addRule(PullThroughCacheRuleProps.builder().upstream(upstream).build());
            }
        }
        if (given.getSharedWith() != null) {
            shareWith(given.getSharedWith());
        }
        for (IGrantable puller : given.getPullers()) {
            grantPull(puller);
        }

        this.endpoints = !given.isEndpoints() ? null : new RegistryEndpoints(this, "Endpoints",
                RegistryEndpointsProps.builder().options(given.getEndpointOptions()).vpc(vpc).build());
        this.temporaryNat = !given.isTemporaryNat() ? null : new TemporaryNatGateway(this, "TemporaryNat",
                TemporaryNatGatewayProps.builder().options(given.getTemporaryNatOptions()).vpc(vpc).build());
        if (given.isDashboard()) {
            createDashboard();
        }
    }

    /** The dashboard's rows: one for each part the cache has. */
    private void createDashboard() {
        this.dashboard = new CacheDashboard(this, this);
        if (warmer != null) {
            dashboard.addWarmerRow(warmer.getStateMachine());
        }
        if (copier != null) {
            dashboard.addCopierRow(copier.getStateMachine());
        }
        if (evictor != null) {
            dashboard.addEvictorRow();
        }
        if (credentialCheck != null) {
            credentialCheck.onMetric(dashboard.addCredentialRow(credentialCheck)::addLeftMetric);
        }
        if (temporaryNat != null) {
            dashboard.addNatRow(temporaryNat);
        }
    }

    /**
     * A cache that lives in another stack, account or region, to route images through and grant pulls on: its
     * {@code imageUri} and {@code containerImage} point at that registry, and {@code grantPull} (and the execution
     * role of a {@code containerImage}) gets the identity side on its {@code repository/<prefix>/*}. Nothing is
     * created, and no registry policy is written here: in another account, the cache's registry must let this
     * account's principals in, with {@code ecr:CreateRepository} and {@code ecr:BatchImportUpstreamImage} in its
     * registry policy and the pull actions in the repository policy of the repositories it creates. Give it to a
     * {@link PullThroughCacheConsumer} for the endpoints, the warming and the ordering that tasks in a VPC without
     * a NAT gateway need. A cache of another region than the stack's gets a warning
     * ({@code @pullthroughcache/import:other-region}): this region's VPC endpoints do not serve its registry.
     *
     * @param scope the parent
     * @param id the construct id
     * @param attributes the cache's account, region and upstreams
     * @return the cache
     */
    public static IPullThroughCache fromCacheAttributes(Construct scope, String id, PullThroughCacheAttributes attributes) {
        return new ImportedPullThroughCache(scope, id, attributes);
    }

    /**
     * Adds a rule to the cache (child {@code Rules/<prefix in PascalCase>}), with the cache's creation template
     * and pullers: for a prefix other than the upstream's default, or an ECR to ECR rule with its options.
     *
     * @param props the rule
     * @return the rule
     * @throws IllegalArgumentException when the cache has a rule of that prefix already
     */
    public PullThroughCacheRule addRule(PullThroughCacheRuleProps props) {
        UpstreamRegistry upstream = props.getUpstream();
        if (upstream == null) {
            throw new IllegalArgumentException("PullThroughCacheRuleProps.upstream is required: the registry to cache, "
                    + "such as UpstreamRegistry.QUAY");
        }
        String prefix = props.getRepositoryPrefix() != null
                ? props.getRepositoryPrefix() : upstream.getDefaultRepositoryPrefix();
        String id = Tokens.isUnresolved(prefix) ? "Rule" + (rules.size() + 1) : ConstructIds.pascalCase(prefix.toLowerCase(Locale.ROOT));
        checkNotCopied(prefix, upstream);
        PullThroughCacheRule existing = rules.get(id);
        if (existing != null) {
            throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " has rule '"
                    + existing.getRepositoryPrefix() + "' (" + existing.getUpstream().getDisplayName() + ") already, so "
                    + upstream.getDisplayName() + " cannot take prefix '" + prefix + "'"
                    + (prefix.equals(existing.getRepositoryPrefix()) ? "" : ", whose construct id is the same")
                    + ": give it another with cache.addRule(PullThroughCacheRuleProps.builder().upstream(...)"
                    + ".repositoryPrefix(...).build()) instead of PullThroughCacheProps.upstreams");
        }
        PullThroughCacheRule rule = new PullThroughCacheRule(rulesScope, id, props);
        rules.put(id, rule);
        rule.addCreationTemplate(creationTemplate);
        if (consumers != null) {
            share(rule);
        }
        for (IGrantable puller : pullers) {
            grantPull(rule, puller);
        }
        served(rule);
        if (validateCredentials && credentialCheck == null && upstream.getCredential() != null) {
            // made with the first rule that has a credential: it checks those added later too
            this.credentialCheck = new CredentialCheck(this, "CredentialCheck", CredentialCheckProps.builder()
                    .cache(this).alarmTopic(alarmTopic).alarmActions(alarmActions).okActions(okActions).build());
            if (dashboard != null) {
                credentialCheck.onMetric(dashboard.addCredentialRow(credentialCheck)::addLeftMetric);
            }
        }
        return rule;
    }

    /**
     * Adds a registry that ECR's pull through cache cannot serve (child {@code Copied/<prefix in PascalCase>}): its
     * images are copied into {@code <registry>/<prefix>/...} by the cache's copier (child {@code Copier}, an
     * {@link ImageCopier}) and routed by {@link #imageUri}, {@link #containerImage} and {@link #warm} as cached ones
     * are; the repositories are made at the first push with the cache's creation template settings, through a
     * template applied for {@code CREATE_ON_PUSH}. {@code PullThroughCacheProps.upstreams} calls it with the default
     * prefix for each {@code UpstreamRegistry.copied}; call it for another prefix.
     *
     * @param upstream a registry made by {@code UpstreamRegistry.copied}
     * @param repositoryPrefix the prefix of its repositories, or {@code null} for its default (the host's first label)
     * @return the copied registry
     * @throws IllegalArgumentException when a rule or copied registry of the cache has that prefix already
     */
    public CopiedRegistry addCopiedRegistry(UpstreamRegistry upstream, String repositoryPrefix) {
        if (upstream == null || !upstream.isCopied()) {
            throw new IllegalArgumentException("PullThroughCache.addCopiedRegistry takes UpstreamRegistry.copied(...), "
                    + "not " + upstream + ": give a registry ECR's pull through cache serves to addRule");
        }
        String prefix = repositoryPrefix != null ? repositoryPrefix : upstream.getDefaultRepositoryPrefix();
        String id = ConstructIds.pascalCase(prefix.toLowerCase(Locale.ROOT));
        PullThroughCacheRule rule = rules.get(id);
        if (rule != null) {
            throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " has rule '"
                    + rule.getRepositoryPrefix() + "' (" + rule.getUpstream().getDisplayName() + ") already, so copied "
                    + "registry " + upstream.getUrl() + " cannot take prefix '" + prefix + "': give it another with "
                    + "cache.addCopiedRegistry(UpstreamRegistry.copied(\"" + upstream.getUrl() + "\"), \"<prefix>\")");
        }
        checkNotCopied(prefix, upstream);
        if (copiedScope == null) {
            this.copiedScope = new Construct(this, "Copied");
        }
        CopiedRegistry registry = new CopiedRegistry(copiedScope, id, CopiedRegistryProps.builder()
                .upstream(upstream).repositoryPrefix(prefix).creationTemplate(creationTemplate).build());
        copiedRegistries.put(id, registry);
        if (copier == null) {
            // made with the first copied registry, not from routing: its images reach it as they are routed
            this.copier = new ImageCopier(this, "Copier", ImageCopierProps.builder()
                    .registries(List.of(registry)).options(warmerOptions).build());
            copier.getFunction().addEnvironment(CacheMetrics.ENVIRONMENT, CacheMetrics.cacheName(this));
            addWarmUp(copier.getResource());
            if (dashboard != null) {
                dashboard.addCopierRow(copier.getStateMachine());
            }
        } else {
            copier.addRegistry(registry);
        }
        if (consumers != null) {
            share(registry);
        }
        for (IGrantable puller : pullers) {
            registry.grantPull(puller);
        }
        served(registry);
        return registry;
    }

    /** Refuses a prefix or a host that a copied registry of the cache has already. */
    private void checkNotCopied(String prefix, UpstreamRegistry upstream) {
        for (CopiedRegistry other : copiedRegistries.values()) {
            boolean samePrefix = other.getRepositoryPrefix().equals(prefix)
                    || ConstructIds.pascalCase(other.getRepositoryPrefix()).equals(ConstructIds.pascalCase(prefix));
            if (samePrefix || other.getUpstream().getUrl().equals(upstream.getUrl())) {
                throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " copies "
                        + other.getUpstream().getUrl() + " under prefix '" + other.getRepositoryPrefix() + "' already, so "
                        + upstream + " cannot take " + (samePrefix ? "prefix '" + prefix + "'" : "it again") + ": give it "
                        + "another prefix with cache.addCopiedRegistry(UpstreamRegistry.copied(\"<host>\"), \"<prefix>\") "
                        + "or addRule(...repositoryPrefix(...))");
            }
        }
    }

    /**
     * @return the registries whose images the cache copies ({@code UpstreamRegistry.copied}), in the order added
     */
    @Override
    public List<CopiedRegistry> getCopiedRegistries() {
        return List.copyOf(copiedRegistries.values());
    }

    /**
     * The copier of the images of copied registries that the cache routes and warms, made with the first copied
     * registry; the images reach it as they are routed or warmed.
     *
     * @return the copier, or {@code null} without a copied registry
     */
    public ImageCopier getCopier() {
        return copier;
    }

    /**
     * Lets other accounts pull through every rule of the cache, those added later included, for a central cache
     * that an organization shares. For each rule it adds:
     * <ul>
     * <li>a registry policy statement ({@code ShareWith<prefix>}): {@code ecr:CreateRepository} and
     * {@code ecr:BatchImportUpstreamImage} on {@code repository/<prefix>/*}, so a consumer's first pull fills the
     * cache;</li>
     * <li>a statement in the repository policy of the repositories the rule's creation template creates
     * ({@code PullByConsumers}): {@code ecr:BatchGetImage}, {@code ecr:GetDownloadUrlForLayer} and
     * {@code ecr:BatchCheckLayerAvailability};</li>
     * <li>with the cache's own key ({@code TemplateEncryption.KMS_NEW_KEY}), a key policy statement that lets the
     * consumers decrypt through ECR only ({@code kms:Decrypt} with {@code kms:ViaService}).</li>
     * </ul>
     * An organization or its units are the principal {@code *} pinned by {@code aws:PrincipalOrgID} or
     * {@code aws:PrincipalOrgPaths}. The stack outputs what a consumer needs, named after the cache's id:
     * {@code <id>SharedRegistry} (the registry host) and {@code <id>SharedPrefixes} (a JSON object of each prefix and
     * the upstream it serves, such as {@code {"ecr-public":"ecr-public","dockerhub":"docker-hub"}}; a copied registry
     * as {@code "mcr":"copied:mcr.microsoft.com"}). Consumers use
     * the cache through {@link #fromCacheAttributes}, with {@code PullThroughCacheAttributes.repositoryPrefixes} for
     * a prefix that is not its upstream's default.
     *
     * @param sharedWith the consumers
     * @throws IllegalArgumentException when the cache is shared already, or its templates use the AWS managed key,
     *     which other accounts cannot use
     */
    public void shareWith(CacheConsumers sharedWith) {
        if (consumers != null) {
            throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " is shared with "
                    + consumers + " already: share it once, with every consumer in one CacheConsumers");
        }
        TemplateEncryption encryption = creationTemplate.getEncryption();
        if (encryption == TemplateEncryption.KMS_AWS_MANAGED_KEY) {
            throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " cannot be shared with "
                    + sharedWith + ": its creation template encrypts with the AWS managed key aws/ecr, whose key "
                    + "policy no other account can be given. Use TemplateEncryption.KMS_NEW_KEY (a key of the cache, "
                    + "which sharing opens to the consumers through ECR), TemplateEncryption.kms(key), or AES_256");
        }
        this.consumers = sharedWith;
        if (sharedWith.getAccounts().contains(stack.getAccount())) {
            Annotations.of(this).addWarningV2("@pullthroughcache/cache:shared-with-itself", "PullThroughCache "
                    + getNode().getPath() + " is shared with its own account " + stack.getAccount() + ": that "
                    + "account's principals pull with grantPull or pullers, not through sharing");
        }
        IKey templateKey = encryption != null ? encryption.getKey() : null;
        if (templateKey != null) {
            // ECR decrypts layers under the grant it holds for each repository; should a pull need the caller's own
            // right as well, this is all it may do, and only through ECR
            PolicyStatement decrypt = sharedWith.statement("DecryptThroughEcrForConsumers")
                    .actions(List.of("kms:Decrypt"))
                    .resources(List.of("*"))
                    .build();
            decrypt.addCondition("StringEquals", Map.of("kms:ViaService", "ecr." + stack.getRegion() + ".amazonaws.com"));
            if (!templateKey.addToResourcePolicy(decrypt).getStatementAdded()) {
                Annotations.of(this).addWarningV2("@pullthroughcache/cache:shared-key", "PullThroughCache "
                        + getNode().getPath() + " is shared, and its creation template's key " + templateKey.getNode()
                        .getPath() + " is not of this app: add kms:Decrypt for " + sharedWith + " with the condition "
                        + "kms:ViaService ecr.<region>.amazonaws.com to its key policy yourself");
            }
        }
        // documented output names (<cache id>SharedRegistry), not the path hash a nested construct's output gets. Not
        // export names: those are unique per account and region, so two stacks with a shared cache would clash
        String outputs = ConstructIds.pascalCase(getNode().getId());
        CfnOutput.Builder.create(this, "SharedRegistry").value(registryHost)
                .description("The registry the consumers pull through: " + sharedWith).build()
                .overrideLogicalId(outputs + "SharedRegistry");
        CfnOutput.Builder.create(this, "SharedPrefixes")
                .value(Lazy.string(() -> stack.toJsonString(sharedPrefixes())))
                .description("The cache's prefixes and the upstream each serves, for PullThroughCacheAttributes").build()
                .overrideLogicalId(outputs + "SharedPrefixes");
        rules.values().forEach(this::share);
        copiedRegistries.values().forEach(this::share);
    }

    /** Consumers pull copies through the repository policy; they never create a repository or import an image. */
    private void share(CopiedRegistry registry) {
        registry.getCreationTemplate().addToRepositoryPolicy(consumers.statement("PullByConsumers")
                .actions(CopiedRegistry.PULL_ACTIONS)
                .build());
    }

    private void share(PullThroughCacheRule rule) {
        RegistryPolicy.of(this).allowConsumers(rule.getRepositoryPrefix(), consumers);
        rule.getCreationTemplate().addToRepositoryPolicy(consumers.statement("PullByConsumers")
                .actions(List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"))
                .build());
    }

    private Map<String, String> sharedPrefixes() {
        Map<String, String> prefixes = new LinkedHashMap<>();
        rules.values().forEach(rule -> prefixes.put(rule.getRepositoryPrefix(), rule.getUpstream().getType()));
        // a copied registry by its host, for UpstreamRegistry.copied(host) in PullThroughCacheAttributes.upstreams
        copiedRegistries.values().forEach(registry -> prefixes.put(registry.getRepositoryPrefix(),
                "copied:" + registry.getUpstream().getUrl()));
        return prefixes;
    }

    /**
     * @return every image reference routed through the cache so far with {@link #imageUri} or
     *     {@link #containerImage}, or given to {@link #warm}, as written, in the order first recorded: what the
     *     cache's warmer warms or its copier copies, and its evictor keeps
     */
    @Override
    public List<String> getImagesInUse() {
        return super.getImagesInUse();
    }

    /** @return who else may pull through the cache, or {@code null} */
    public CacheConsumers getSharedWith() {
        return consumers;
    }

    /**
     * The private URI of an upstream image, pulled through the rule that serves its registry (the first one
     * added, when several do). Every Docker Hub form works: {@code nginx}, {@code library/nginx},
     * {@code docker.io/...}, {@code index.docker.io/...}, {@code registry-1.docker.io/...}.
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return {@code <account>.dkr.ecr.<region>.<suffix>/<prefix>/<repository>[:tag][@digest]}, token-aware
     * @throws IllegalArgumentException when the reference is invalid or no rule serves its registry
     */
    @Override
    public String imageUri(String imageReference) {
        String uri = routeFor(imageReference).imageUri(imageReference);
        use(imageReference);
        return uri;
    }

    /** An image routed: warmed while warming is on; copied, if a copied registry serves it, always. */
    private void use(String imageReference) {
        if (!recordImage(imageReference)) {
            return;
        }
        if (routeFor(imageReference) instanceof CopiedRegistry) {
            copier.addImages(List.of(imageReference));
        } else if (warming) {
            warmer.addImages(List.of(imageReference));
        }
    }

    /**
     * Warms images besides those the app routes through the cache, such as images that something outside the app
     * pulls: the cache's warmer (child {@code Warmer}) pulls them through the cache at deployment and on its
     * schedule. An image of a copied registry is copied by the cache's copier (child {@code Copier}), warming on or
     * off.
     *
     * @param imageReferences what you would pass to {@code docker pull}
     * @throws IllegalArgumentException when warming is off ({@code PullThroughCacheProps.warm(false)}, or the
     *     default with a temporary NAT gateway) for an image of a rule, or a reference is invalid, or no rule or copied
     *     registry serves its registry
     */
    public void warm(String... imageReferences) {
        List<String> warmed = new ArrayList<>();
        List<String> copied = new ArrayList<>();
        for (String image : imageReferences) {
            (routeFor(image) instanceof CopiedRegistry ? copied : warmed).add(image);
        }
        if (!warming && !warmed.isEmpty()) {
            throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " cannot warm "
                    + warmed + ": warming is off (PullThroughCacheProps.warm is false, its default "
                    + "with a temporary NAT gateway). Give PullThroughCacheProps.warm(true)");
        }
        if (!copied.isEmpty()) {
            copier.addImages(copied);
        }
        if (!warmed.isEmpty()) {
            warmer.addImages(warmed);
        }
        // in use: neither warmed nor copied images are evicted
        List.of(imageReferences).forEach(this::recordImage);
    }

    /**
     * Pulls per hour of each cached repository under a prefix (ECR's {@code RepositoryPullCount}, by a search).
     *
     * @param repositoryPrefix a rule's or copied registry's prefix
     * @return the metric, one series per repository
     */
    public IMetric metricPulls(String repositoryPrefix) {
        return CacheMetrics.pulls(repositoryPrefix);
    }

    /** @return images the warmer pulled through the cache, summed per hour; published whether or not there is a dashboard */
    public Metric metricImagesWarmed() {
        return cacheMetric("ImagesWarmed", "warmed");
    }

    /** @return images the warmer failed to pull, summed per hour */
    public Metric metricImagesFailed() {
        return cacheMetric("ImagesFailed", "failed");
    }

    /** @return images the copier copied into the registry, summed per hour */
    public Metric metricImagesCopied() {
        return cacheMetric("ImagesCopied", "copied");
    }

    /** @return images the copier failed to copy, summed per hour */
    public Metric metricCopiesFailed() {
        return cacheMetric("CopiesFailed", "failed copies");
    }

    /** @return images the evictor deleted, summed per hour */
    public Metric metricImagesEvicted() {
        return cacheMetric("ImagesEvicted", "evicted");
    }

    private Metric cacheMetric(String name, String label) {
        return CacheMetrics.metric(CacheMetrics.cacheName(this), name, "Sum", Unit.COUNT, label, Map.of());
    }

    /** @return the cache's dashboard, or {@code null} without {@code PullThroughCacheProps.dashboard(true)} */
    public Dashboard getDashboard() {
        return dashboard != null ? dashboard.getDashboard() : null;
    }

    /** @return the evictor, or {@code null} without {@code PullThroughCacheProps.evictUnpulledAfter} */
    public ImageEvictor getEvictor() {
        return evictor;
    }

    /**
     * @return the credential check, made with the first rule that has a credential, or {@code null} before it or with
     *     {@code PullThroughCacheProps.validateCredentials(false)}
     */
    public CredentialCheck getCredentialCheck() {
        return credentialCheck;
    }

    /** @return the remover, or {@code null} without {@code PullThroughCacheProps.removeCachedRepositoriesOnDestroy(true)} */
    public CachedRepositoryRemover getCachedRepositoryRemover() {
        return remover;
    }

    /**
     * An image for an ECS container, pulled through the cache. When the container binds it, the task execution
     * role gets what the pull needs from the rule that serves the image ({@link PullThroughCacheRule#grantPull})
     * and a place in that rule's registry policy statement, and the task definition (so its services) waits for
     * what the first pull needs: that rule and its creation template, the registry policy, the endpoints, the
     * temporary NAT gateway with its routes, and the warmer's deploy-time run that caches the image, those of them
     * the cache has.
     *
     * @param imageReference what you would pass to {@code docker pull}
     * @return the image
     * @throws IllegalArgumentException when the reference is invalid or no rule serves its registry
     */
    @Override
    public ContainerImage containerImage(String imageReference) {
        if (routeFor(imageReference) instanceof CopiedRegistry registry) {
            String uri = registry.imageUri(imageReference);
            use(imageReference);
            return new CacheContainerImage(uri, registry::grantPull, firstPullNeeds(registry, copier.getResource()));
        }
        PullThroughCacheRule rule = ruleFor(imageReference);
        String uri = rule.imageUri(imageReference);
        use(imageReference);
        return new CacheContainerImage(uri, role -> grantPull(rule, role), firstPullNeeds(rule));
    }

    /** What a container must wait for before its first pull through a rule: each of them that exists. */
    private List<IDependable> firstPullNeeds(PullThroughCacheRule rule) {
        // the statements of the rule's pullers, the execution role among them once bound
        return firstPullNeeds(rule, RegistryPolicy.of(this), warming ? warmer.getResource() : null);
    }

    /**
     * What a container must wait for before its first pull: the rule or copied registry, the run that puts the image
     * in the registry (the warmer's or the copier's), the registry policy when there is one to wait for, the network.
     */
    private List<IDependable> firstPullNeeds(IDependable target, IDependable... before) {
        List<IDependable> needs = new ArrayList<>(List.of(target));
        for (IDependable need : before) {
            if (need != null) {
                needs.add(need);
            }
        }
        if (endpoints != null) {
            needs.add(endpoints);
        }
        if (temporaryNat != null) {
            needs.add(temporaryNat);
        }
        return needs;
    }

    /**
     * Lets a principal pull through every rule of the cache, those added later included: the identity-side
     * grants of {@link PullThroughCacheRule#grantPull} and a place in each rule's registry policy statement.
     *
     * @param grantee a role, user or other grantable
     * @return the grants of the rules the cache has now, combined
     */
    @Override
    public Grant grantPull(IGrantable grantee) {
        pullers.add(grantee);
        Grant grant = null;
        for (PullThroughCacheRule rule : rules.values()) {
            Grant ruleGrant = grantPull(rule, grantee);
            grant = grant == null ? ruleGrant : grant.combine(ruleGrant);
        }
        for (CopiedRegistry registry : copiedRegistries.values()) {
            Grant copiedGrant = registry.grantPull(grantee);
            grant = grant == null ? copiedGrant : grant.combine(copiedGrant);
        }
        return grant != null ? grant : Grant.drop(grantee, "pull through cache " + getNode().getPath()
                + ", which has no rule yet");
    }

    private Grant grantPull(PullThroughCacheRule rule, IGrantable grantee) {
        rule.addPullers(grantee);
        if (registryPolicy == null) {
            this.registryPolicy = RegistryPolicy.of(this);
            // the warmer's deploy-time run waits for the registry policy statements
            runAfter(registryPolicy);
        }
        return rule.grantPull(grantee);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Its {@code grantPull} grants as this cache's does: the identity side, and a place in each mirrored rule's
     * registry policy statement, rules added after this call too.
     */
    @Override
    public RegistryMirrors registryMirrors() {
        return RegistryMirrors.of(this, (target, grantee) -> target instanceof CopiedRegistry copied
                ? copied.grantPull(grantee) : grantPull((PullThroughCacheRule) target, grantee), getWarmUp());
    }

    /** The rule or copied registry that serves an image's registry. */
    private IPullThroughCacheRule routeFor(String imageReference) {
        List<IPullThroughCacheRule> targets = new ArrayList<>(rules.values());
        targets.addAll(copiedRegistries.values());
        return PullThroughCacheRule.serving(targets, imageReference, "PullThroughCache " + getNode().getPath(),
                "Add the registry to PullThroughCacheProps.upstreams (UpstreamRegistry.copied(\"<host>\") for one the "
                        + "pull through cache cannot serve), or with addRule");
    }

    private PullThroughCacheRule ruleFor(String imageReference) {
        return PullThroughCacheRule.serving(rules.values(), imageReference, "PullThroughCache " + getNode().getPath(),
                "Add the registry to PullThroughCacheProps.upstreams, or with addRule");
    }

    /**
     * @param repositoryPrefix a rule's prefix, such as {@code ecr-public}
     * @return the cache's rule of that prefix
     * @throws IllegalArgumentException when the cache has none, naming the prefixes it has
     */
    @Override
    public PullThroughCacheRule getRule(String repositoryPrefix) {
        return withPrefix(getRules(), repositoryPrefix);
    }

    /** @return the rules, in the order they were added */
    @Override
    public List<PullThroughCacheRule> getRules() {
        return List.copyOf(rules.values());
    }

    /** @return the VPC: the one given, or the {@link CacheVpc} created */
    public IVpc getVpc() {
        return vpc;
    }

    /** @return the endpoints, or {@code null} when {@link PullThroughCacheProps#isEndpoints()} is false */
    public RegistryEndpoints getEndpoints() {
        return endpoints;
    }

    /** @return the temporary NAT gateway, or {@code null} without one */
    public TemporaryNatGateway getTemporaryNat() {
        return temporaryNat;
    }

    /** @return the key of the created repositories, or {@code null} unless the cache created one */
    public IKey getKey() {
        return key;
    }

    /** @return the stack's registry policy once the cache uses it (REPLACE, or pullers), else {@code null} */
    public RegistryPolicy getRegistryPolicy() {
        return registryPolicy;
    }

    /** The warmer's deploy-time run waits for it, such as the registry policy statements that let it pull. */
    private void runAfter(IDependable dependency) {
        if (warmer != null) {
            warmer.getResource().getNode().addDependency(dependency);
        }
    }

    /** @return the private registry host, {@code <account>.dkr.ecr.<region>.<suffix>}, token-aware */
    @Override
    public String getRegistryHost() {
        return registryHost;
    }

    /**
     * @param repositoryPrefix a rule's prefix
     * @return where that rule's images are pulled from, {@code <registry host>/<prefix>}
     */
    public String repositoryUriPrefix(String repositoryPrefix) {
        String prefix = getRule(repositoryPrefix).getRepositoryPrefix();
        return RepositoryPrefix.ROOT.equals(prefix) ? registryHost : registryHost + "/" + RepositoryPrefix.toPath(prefix);
    }
}
