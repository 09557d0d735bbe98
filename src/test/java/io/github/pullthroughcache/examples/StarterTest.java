package io.github.pullthroughcache.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.myorg.StarterStack;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cloud_assembly_schema.MissingContext;

/**
 * The starter app of {@code examples/starter} (compiled here with the other examples; {@code .ci/run} also copies
 * it out of the repository, as the README says, and runs {@code npm ci && npx cdk synth} there on the installed
 * library with no AWS credentials).
 */
class StarterTest {

    private static final Path ROOT = TestApps.projectRoot();
    private static final Path STARTER = ROOT.resolve("examples/starter");

    @Test
    void withAFixedAccountAndNoContextItAsksTheCliForNothing() {
        App app = TestApps.bareApp();
        new StarterStack(app, "PullThroughCacheStarter", StackProps.builder().env(TestApps.ENV).build());

        List<MissingContext> missing = app.synth().getManifest().getMissing();
        assertThat(missing == null ? List.of() : missing).isEmpty();
    }

    @Test
    void itsServiceRunsTheImageThroughTheCacheAndItsTemplateFitsTheSchemas() {
        App app = TestApps.newApp();
        new StarterStack(app, "PullThroughCacheStarter", StackProps.builder().env(TestApps.ENV).build());
        Synth synth = Synth.of(app);

        JsonNode template = synth.json("PullThroughCacheStarter");
        assertThat(CfnSchemas.violations(template)).isEmpty();
        assertThat(template.toString()).contains("111111111111.dkr.ecr.eu-west-1.")
                .contains("/ecr-public/nginx/nginx:1.27\"");
        synth.template("PullThroughCacheStarter").resourceCountIs("AWS::ECS::Service", 1);
        synth.template("PullThroughCacheStarter").resourceCountIs("AWS::EC2::NatGateway", 0);
        synth.template("PullThroughCacheStarter").resourceCountIs("Custom::EcrCacheWarmer", 1);
    }

    @Test
    void itsCdkJsonHasTheFeatureFlagsOfTheExamples() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode starter = json.readTree(STARTER.resolve("cdk.json").toFile());
        assertThat(starter.path("context")).isEqualTo(json.readTree(ROOT.resolve("cdk.json").toFile()).path("context"));
        assertThat(starter.path("app").asText()).contains("exec:java");
        // the app command the README gives for one's own app
        assertThat(Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8))
                .contains("\"app\": \"" + starter.path("app").asText() + "\"");
    }

    @Test
    void itsPomDependsOnThisBuildAndTheCdkItIsBuiltFor() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        String starter = Files.readString(STARTER.resolve("pom.xml"), StandardCharsets.UTF_8);
        for (String property : List.of("version", "cdk.version", "constructs.version")) {
            assertThat(value(starter, property)).as(property).isEqualTo(value(pom, property));
        }
        assertThat(starter).contains("<exec.mainClass>com.myorg.StarterApp</exec.mainClass>");
    }

    @Test
    void outsideTheRepositoryItBringsTheCliAndTheMavenSettingsOfTheRepository() throws IOException {
        // copied out, it has neither the repository's package.json nor its .mvn: its own must say the same
        ObjectMapper json = new ObjectMapper();
        String pinned = json.readTree(ROOT.resolve("package.json").toFile()).path("devDependencies").path("aws-cdk")
                .asText();
        assertThat(pinned).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(json.readTree(STARTER.resolve("package.json").toFile()).path("devDependencies").path("aws-cdk")
                .asText()).isEqualTo(pinned);
        JsonNode lock = json.readTree(STARTER.resolve("package-lock.json").toFile()).path("packages");
        assertThat(lock.path("").path("devDependencies").path("aws-cdk").asText()).isEqualTo(pinned);
        assertThat(lock.path("node_modules/aws-cdk").path("version").asText()).isEqualTo(pinned);
        assertThat(Files.readString(STARTER.resolve(".mvn/jvm.config"), StandardCharsets.UTF_8))
                .isEqualTo(Files.readString(ROOT.resolve(".mvn/jvm.config"), StandardCharsets.UTF_8))
                .contains("-Djansi.noreset=true");
    }

    /** The library's version (first {@code <version>} after its artifactId), or a property. */
    private static String value(String pom, String name) {
        Matcher matcher = (name.equals("version")
                ? Pattern.compile("<artifactId>pull-through-cache-cdk</artifactId>\\s*<version>([^<]+)</version>")
                : Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">")).matcher(pom);
        assertThat(matcher.find()).as(name).isTrue();
        return matcher.group(1);
    }
}
