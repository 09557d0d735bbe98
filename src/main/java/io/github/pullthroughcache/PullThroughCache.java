package io.github.pullthroughcache;

import io.github.pullthroughcache.internal.ConstructIds;
import io.github.pullthroughcache.internal.FactsScope;
import io.github.pullthroughcache.internal.RepositoryPrefix;
import io.github.pullthroughcache.internal.StackFacts;
import io.github.pullthroughcache.internal.Tokens;
import io.github.pullthroughcache.network.CacheVpc;
import io.github.pullthroughcache.network.RegistryEndpoints;
import io.github.pullthroughcache.network.RegistryEndpointsProps;
import io.github.pullthroughcache.network.TemporaryNatGateway;
import io.github.pullthroughcache.network.TemporaryNatGatewayProps;
import io.github.pullthroughcache.registry.CacheConsumers;
import io.github.pullthroughcache.registry.CreationTemplateOptions;
import io.github.pullthroughcache.registry.RegistryPolicy;
import io.github.pullthroughcache.registry.RegistryPolicyMode;
import io.github.pullthroughcache.registry.RegistryPolicyProps;
import io.github.pullthroughcache.registry.TemplateEncryption;
import io.github.pullthroughcache.rule.PullThroughCacheRule;
import io.github.pullthroughcache.rule.PullThroughCacheRuleProps;
import io.github.pullthroughcache.rule.UpstreamRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.iam.Grant;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.kms.Key;
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
 * {@code CreationTemplate}), {@code Endpoints}, {@code TemporaryNat}, {@code Warmer} (a {@link CacheWarmer} of the images routed
 * or warmed while warming is on, {@link PullThroughCacheProps.Builder#warm}, made when the app synthesizes), and once shared ({@link #shareWith}) the outputs
 * {@code SharedRegistry} and {@code SharedPrefixes}. The registry policy belongs to the stack
 * ({@link RegistryPolicy#of}). A cache of another stack, account or region: {@link #fromCacheAttributes}.
 */
public class PullThroughCache extends Construct implements IPullThroughCache {

    private final Stack stack;
    private final IVpc vpc;
    private final CreationTemplateOptions creationTemplate;
    private final IKey key;
    private final Construct rulesScope;
    private final Map<String, PullThroughCacheRule> rules = new LinkedHashMap<>();
    private final List<IGrantable> pullers = new ArrayList<>();
    private CacheConsumers consumers;
    private final WarmedImages images;
    private final RegistryEndpoints endpoints;
    private final TemporaryNatGateway temporaryNat;
    private final String registryHost;
    private RegistryPolicy registryPolicy;

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
        this.images = new WarmedImages(this, this, given.getWarm() != null ? given.getWarm() : !given.isTemporaryNat(),
                given.getWarmerOptions());
        if (given.getRegistryPolicyMode() == RegistryPolicyMode.REPLACE) {
            this.registryPolicy = new RegistryPolicy(stack, RegistryPolicy.DEFAULT_ID, RegistryPolicyProps.builder()
                    .mode(RegistryPolicyMode.REPLACE).build());
            images.runAfter(registryPolicy);
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
        this.creationTemplate = template;

        this.rulesScope = new FactsScope(this, "Rules", facts);
        for (UpstreamRegistry upstream : given.getUpstreams()) {
            addRule(PullThroughCacheRuleProps.builder().upstream(upstream).build());
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
    }

    /**
     * A cache that lives in another stack, account or region, to route images through and grant pulls on: its
     * {@code imageUri} and {@code containerImage} point at that registry, and {@code grantPull} (and the execution
     * role of a {@code containerImage}) gets the identity side on its {@code repository/<prefix>/*}. Nothing is
     * created, and no registry policy is written here: in another account, the cache's registry must let this
     * account's principals in, with {@code ecr:CreateRepository} and {@code ecr:BatchImportUpstreamImage} in its
     * registry policy and the pull actions in the repository policy of the repositories it creates.
     *
     * @param scope the parent
     * @param id the construct id
     * @param attributes the cache's account, region and upstreams
     * @return the cache
     * @throws IllegalArgumentException when the stack's region is known and is not the cache's
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
        return rule;
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
     * {@code aws:PrincipalOrgPaths}. The stack outputs what a consumer needs: {@code SharedRegistry} (the registry
     * host) and {@code SharedPrefixes} (each prefix and its upstream). Consumers use the cache through
     * {@link #fromCacheAttributes}.
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
        CfnOutput.Builder.create(this, "SharedRegistry").value(registryHost)
                .description("The registry the consumers pull through: " + sharedWith).build();
        CfnOutput.Builder.create(this, "SharedPrefixes")
                .value(Lazy.string(() -> stack.toJsonString(sharedPrefixes())))
                .description("The cache's prefixes and the upstream each serves, for PullThroughCacheAttributes").build();
        rules.values().forEach(this::share);
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
        return prefixes;
    }

    /**
     * @return every image reference routed through the cache so far with {@link #imageUri} or
     *     {@link #containerImage}, as written, in the order first routed: what the cache's warmer warms, with
     *     those given to {@link #warm}
     */
    public List<String> getImagesInUse() {
        return images.routed();
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
        String uri = ruleFor(imageReference).imageUri(imageReference);
        images.route(imageReference);
        return uri;
    }

    /**
     * Warms images besides those the app routes through the cache, such as images that something outside the app
     * pulls: the cache's warmer (child {@code Warmer}, made when the app synthesizes) pulls them through the cache at
     * deployment and on its schedule.
     *
     * @param imageReferences what you would pass to {@code docker pull}
     * @throws IllegalArgumentException when warming is off ({@code PullThroughCacheProps.warm(false)}, or the
     *     default with a temporary NAT gateway), or a reference is invalid, or no rule serves its registry
     */
    public void warm(String... imageReferences) {
        if (!images.isWarming()) {
            throw new IllegalArgumentException("PullThroughCache " + getNode().getPath() + " cannot warm "
                    + List.of(imageReferences) + ": warming is off (PullThroughCacheProps.warm is false, its default "
                    + "with a temporary NAT gateway). Give PullThroughCacheProps.warm(true)");
        }
        for (String image : imageReferences) {
            ruleFor(image);
        }
        images.warm(List.of(imageReferences));
    }

    /**
     * The warmer of the images the cache routes and warms. Routing an image creates nothing: the warmer is made once,
     * when the app synthesizes (before CloudFormation's dependencies are worked out), with every image routed or
     * warmed by then.
     *
     * @return the warmer, or {@code null} before the app synthesizes, without warming, or with no image
     */
    public CacheWarmer getWarmer() {
        return images.warmer();
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
        PullThroughCacheRule rule = ruleFor(imageReference);
        String uri = rule.imageUri(imageReference);
        images.route(imageReference);
        return new CacheContainerImage(uri, role -> grantPull(rule, role), firstPullNeeds(rule));
    }

    /** What a container must wait for before its first pull through a rule: each of them that exists. */
    private List<IDependable> firstPullNeeds(PullThroughCacheRule rule) {
        List<IDependable> needs = new ArrayList<>(List.of(rule));
        // the statements of the rule's pullers, the execution role among them once bound
        needs.add(RegistryPolicy.of(this));
        if (images.isWarming()) {
            // the image is cached before the first task starts: the warmer's run, once the app synthesizes
            needs.add(images.warmerRun());
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
        return grant != null ? grant : Grant.drop(grantee, "pull through cache " + getNode().getPath()
                + ", which has no rule yet");
    }

    private Grant grantPull(PullThroughCacheRule rule, IGrantable grantee) {
        rule.addPullers(grantee);
        if (registryPolicy == null) {
            this.registryPolicy = RegistryPolicy.of(this);
            // the warmer's deploy-time run waits for the registry policy statements
            images.runAfter(registryPolicy);
        }
        return rule.grantPull(grantee);
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
        return CacheRules.withPrefix(rules.values(), repositoryPrefix, this);
    }

    /** @return the rules by construct id, in the order they were added */
    Map<String, PullThroughCacheRule> rulesById() {
        return Collections.unmodifiableMap(rules);
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
