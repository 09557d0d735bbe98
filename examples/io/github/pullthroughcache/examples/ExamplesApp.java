package io.github.pullthroughcache.examples;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.PullThroughCache;
import io.github.pullthroughcache.stack.OneLineErrors;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;

/**
 * The bundled example stacks, in one CDK app ({@code cdk.json} runs it; {@code cdk synth} needs no AWS
 * credentials). The snapshot tests build the same stacks through {@link #build(App, Environment)}.
 */
public final class ExamplesApp {

    /** The context keys the examples read besides those of {@code PullThroughCacheStack}. */
    public static final List<String> CONTEXT_KEYS = List.of(ReplicationExample.SOURCE_ACCOUNT_KEY,
            ReplicationExample.DESTINATION_ACCOUNT_KEY);

    private ExamplesApp() {
    }

    /**
     * Adds every example stack to an app.
     *
     * @param app the app
     * @param env the environment to deploy to, or {@code null} for environment-agnostic stacks
     * @return the stacks, in the order they were added
     */
    public static List<Stack> build(App app, Environment env) {
        List<Stack> stacks = new ArrayList<>(List.of(
                // the caches are environment-agnostic: each creates rules with the default prefixes, which would
                // collide in one registry; deploy one of them per account and region
                QuickStartExample.create(app, "PullThroughCacheQuickStart"),
                new CredentialsExampleStack(app, "PullThroughCacheCredentials"),
                new EcsServiceExampleStack(app, "PullThroughCacheEcsService"),
                new ExistingVpcExampleStack(app, "PullThroughCacheExistingVpc"),
                new WarmerExampleStack(app, "PullThroughCacheWarmed"),
                new CopiedRegistryExampleStack(app, "PullThroughCacheCopied"),
                new EksExampleStack(app, "PullThroughCacheEks"),
                new DayTwoExampleStack(app, "PullThroughCacheDayTwo"),
                new RulesExampleStack(app, "PullThroughCacheRules", env),
                new CreationTemplatesExampleStack(app, "PullThroughCacheCreationTemplates", env),
                // never given an environment: its VPC takes zones from Fn::GetAZs, with no context lookup
                new NetworkExampleStack(app, "PullThroughCacheNetwork"),
                // never given an environment: a REPLACE policy must be its registry's only writer
                new RegistryPolicyReplaceExampleStack(app, "PullThroughCacheRegistryPolicyReplace")));
        stacks.addAll(MultiRegionExample.create(app, "PullThroughCache"));
        // accounts of their own (from context): a source and a destination registry
        stacks.addAll(ReplicationExample.create(app, "PullThroughCacheReplication"));
        // fixed accounts of one organization: a central cache and a consumer
        stacks.addAll(OrganizationExample.create(app, "PullThroughCacheOrg"));
        return List.copyOf(stacks);
    }

    /**
     * Synthesizes the examples into {@code cdk.out}. The account and region come from the CDK CLI
     * ({@code CDK_DEFAULT_ACCOUNT}, {@code CDK_DEFAULT_REGION}) when it knows them; without credentials the
     * stacks stay environment-agnostic.
     *
     * A value the user gave that the library refuses (a context value, a prop) is printed as one line on standard
     * error, and the app exits with status 1 ({@link OneLineErrors}): no stack trace for a user's mistake.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        OneLineErrors.run(() -> {
            // no construct stack traces: in a Java app their first frame is jsii's runtime, printed before warnings
            App app = new App(AppProps.builder().stackTraces(false).build());
            build(app, defaultEnvironment());
            app.synth();
        });
    }

    private static Environment defaultEnvironment() {
        String account = System.getenv("CDK_DEFAULT_ACCOUNT");
        String region = System.getenv("CDK_DEFAULT_REGION");
        if (account == null || account.isBlank() || region == null || region.isBlank()) {
            return null;
        }
        return Environment.builder().account(account).region(region).build();
    }
}
