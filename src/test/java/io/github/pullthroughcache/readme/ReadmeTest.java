package io.github.pullthroughcache.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.pullthroughcache.stack.PullThroughCacheStack;
import io.github.pullthroughcache.examples.ExamplesApp;
import io.github.pullthroughcache.examples.ExamplesSynthesis;
import io.github.pullthroughcache.examples.MultiRegionExample;
import io.github.pullthroughcache.examples.QuickStartExample;
import io.github.pullthroughcache.testing.CfnSchemas;
import io.github.pullthroughcache.testing.Synth;
import io.github.pullthroughcache.testing.TestApps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;

/**
 * README.md and the pages of {@code docs/} cannot rot: their Java blocks are the compiled {@link ReadmeFragments},
 * which synthesize; their {@code cdk} commands synthesize the examples app with their context, in this JVM; every
 * other command they show is run by {@code .ci/run}; every link between them finds its page and heading.
 */
class ReadmeTest {

    private static final Path ROOT = TestApps.projectRoot();
    /** README.md, then each page of docs/, by its path from the project root. */
    private static final Map<String, String> PAGES = pages();
    private static final String README = PAGES.get("README.md");
    /** Every page, one after the other: what is said once is said once in all of them. */
    private static final String ALL = String.join("\n", PAGES.values());
    private static final String FRAGMENTS = read("src/test/java/io/github/pullthroughcache/readme/ReadmeFragments.java");
    private static final String CI = read(".ci/run");
    private static final Pattern BLOCK = Pattern.compile("(?:<!-- ([\\w: -]+) -->\\n)?```(\\w*)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern INLINE = Pattern.compile("`((?:npx|mvn|npm|node) [^`]+)`");
    /** Commands the README shows that cannot run here, each with why. */
    private static final Map<String, String> NOT_RUN_HERE = Map.of(
            "mvn -Prelease deploy", "uploads to Maven Central: needs the project's Central credentials and a network",
            "mvn -B -Pbenchmark test-compile exec:java", "the benchmarks' full run, some six minutes: .ci/run runs every "
                    + "part of it with the smaller figures the development page shows (the command below it)");

    private record Block(String marker, String language, String text) {
    }

    /** The fenced blocks of every page. */
    private static List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        for (String page : PAGES.values()) {
            Matcher matcher = BLOCK.matcher(page);
            while (matcher.find()) {
                blocks.add(new Block(matcher.group(1), matcher.group(2), matcher.group(3)));
            }
        }
        return blocks;
    }

    private static Map<String, String> pages() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("README.md", read("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.map(path -> "docs/" + path.getFileName()).filter(path -> path.endsWith(".md")).sorted()
                    .forEach(path -> pages.put(path, read(path)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    @Test
    void everyJavaBlockIsACompiledFragmentToTheCharacter() {
        List<String> problems = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (Block block : blocks()) {
            if (!block.language().equals("java")) {
                continue;
            }
            if (block.marker() == null || !block.marker().startsWith("fragment: ")) {
                problems.add("a java block without <!-- fragment: name -->: " + block.text().lines().findFirst().orElse(""));
                continue;
            }
            String name = block.marker().substring("fragment: ".length());
            shown.add(name);
            String region = taggedRegion(name);
            if (region == null) {
                problems.add("no tag::" + name + "[] in ReadmeFragments.java");
                continue;
            }
            List<String> lines = block.text().lines().toList();
            for (String line : lines) {
                if (line.startsWith("import ") && !FRAGMENTS.contains("\n" + line + "\n")) {
                    problems.add(name + ": ReadmeFragments.java does not have " + line);
                }
            }
            String body = lines.stream().dropWhile(line -> line.startsWith("import ") || line.isBlank())
                    .collect(Collectors.joining("\n"));
            if (!body.equals(region)) {
                problems.add(name + " differs from ReadmeFragments.java:\n--- README\n" + body + "\n--- compiled\n" + region);
            }
        }
        Matcher tags = Pattern.compile("// tag::([\\w-]+)\\[]").matcher(FRAGMENTS);
        while (tags.find()) {
            if (!shown.contains(tags.group(1))) {
                problems.add("fragment " + tags.group(1) + " is in ReadmeFragments.java but in no page of the README");
            }
        }
        assertThat(shown).hasSizeGreaterThanOrEqualTo(11);
        assertThat(problems).isEmpty();
    }

    /** The lines between the fragment's tags, less their common indentation. */
    private static String taggedRegion(String name) {
        int start = FRAGMENTS.indexOf("// tag::" + name + "[]\n");
        int end = FRAGMENTS.indexOf("// end::" + name + "[]");
        if (start < 0 || end < 0) {
            return null;
        }
        List<String> lines = FRAGMENTS.substring(FRAGMENTS.indexOf('\n', start) + 1, end).lines().toList();
        lines = lines.subList(0, lines.size() - 1);
        int indent = lines.stream().filter(line -> !line.isBlank())
                .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
        return lines.stream().map(line -> line.isBlank() ? "" : line.substring(indent)).collect(Collectors.joining("\n"));
    }

    @Test
    void theFragmentsSynthesizeWithinTheSchemas() {
        App app = TestApps.newApp();
        List<Stack> stacks = ReadmeFragments.build(app);
        Synth synth = Synth.of(app);

        for (Stack stack : stacks) {
            assertThat(CfnSchemas.violations(synth.json(stack.getStackName()))).as(stack.getStackName()).isEmpty();
        }
        synth.template("ReadmeCopied").resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        synth.template("ReadmeCopied").resourceCountIs("Custom::EcrImageCopier", 1);
        synth.template("ReadmeOneCall").resourceCountIs("AWS::ECR::PullThroughCacheRule", 3);
        synth.template("ReadmeOneCall").resourceCountIs("AWS::KMS::Key", 1);
        synth.template("ReadmeOneCall").resourceCountIs("AWS::EC2::VPCEndpoint", 3);
        synth.template("ReadmeOneCall").hasResourceProperties("AWS::EC2::VPCEndpoint", Map.of(
                "VpcEndpointType", "Interface", "PolicyDocument", Match.anyValue()));
    }

    static Stream<String> cdkCommands() {
        return commands().filter(command -> command.startsWith("npx cdk ") && !command.contains("<"));
    }

    static Stream<String> otherCommands() {
        return commands().filter(command -> !command.startsWith("aws "))
                .filter(command -> !command.startsWith("npx cdk ") || command.contains(" && "));
    }

    @Test
    void theAwsCliCommandPutsTheTokenWhereTheCredentialFragmentsSecretIs() {
        // an AWS CLI command needs an account: it cannot run here. What it names must be what the library makes.
        List<String> aws = commands().filter(command -> command.startsWith("aws ")).toList();
        assertThat(aws).hasSize(1);
        List<String> words = shellWords(aws.get(0));
        assertThat(words.subList(0, 3)).containsExactly("aws", "secretsmanager", "put-secret-value");
        assertThat(words.get(words.indexOf("--secret-id") + 1)).isEqualTo(
                io.github.pullthroughcache.rule.UpstreamRegistry.SECRET_NAME_PREFIX + "docker-hub");
        assertThat(taggedRegion("credentials")).contains("secretName(\"docker-hub\")");
        assertThat(words.get(words.indexOf("--secret-string") + 1)).matches("\\{\"username\":\"my-user\",\"accessToken\":\"[^\"]+\"}");
    }

    /** The commands of the bash blocks of every page, and their inline commands. */
    private static Stream<String> commands() {
        List<String> commands = new ArrayList<>();
        for (Block block : blocks()) {
            if (block.language().equals("bash")) {
                block.text().replace("\\\n", " ").lines().map(line -> line.replaceAll("\\s+#.*$", "").strip())
                        .filter(line -> !line.isEmpty()).forEach(commands::add);
            }
        }
        Matcher inline = INLINE.matcher(ALL.replace("\n", " "));
        while (inline.find()) {
            commands.add(inline.group(1).strip());
        }
        return commands.stream().distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cdkCommands")
    void everyCdkCommandSynthesizesTheExamplesWithItsContext(String command) {
        List<String> words = shellWords(command.replaceAll("\\s*>\\s*\\S+$", ""));
        assertThat(words.subList(0, 2)).containsExactly("npx", "cdk");
        assertThat(words.get(2)).isIn("synth", "deploy", "diff");
        Map<String, Object> context = new LinkedHashMap<>();
        List<String> stackNames = new ArrayList<>();
        for (int i = 3; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("-c") || word.equals("--context")) {
                String[] pair = words.get(++i).split("=", 2);
                // a key nothing reads would be ignored without a word
                assertThat(pair[0]).isIn(Stream.concat(PullThroughCacheStack.CONTEXT_KEYS.stream(),
                        ExamplesApp.CONTEXT_KEYS.stream()).toList());
                context.put(pair[0], pair[1]);
            } else {
                assertThat(word).as("an option the pinned CLI knows").doesNotStartWith("-");
                stackNames.add(word);
            }
        }
        assertThat(examplesSynthesizedWith(context)).containsAll(stackNames);
    }

    /** The stack names of the examples app synthesized with a context: once per context, shared by its commands. */
    private static final Map<Map<String, Object>, List<String>> SYNTHESIZED = new java.util.HashMap<>();

    private static List<String> examplesSynthesizedWith(Map<String, Object> context) {
        if (context.isEmpty()) {
            // the examples' own synthesis (ExamplesTest), cdk-nag's packs included
            return ExamplesSynthesis.stacks().stream().map(Stack::getStackName).toList();
        }
        if (PullThroughCacheStack.CONTEXT_KEYS.containsAll(context.keySet())) {
            // keys that only a PullThroughCacheStack reads (theStackContextIsReadByTheExamplesStacksOnly): every other
            // example synthesizes as with no context, which ExamplesTest does; those stacks are synthesized with the
            // context, alone in their app
            return SYNTHESIZED.computeIfAbsent(Map.copyOf(context), given -> {
                App app = TestApps.newApp(given);
                List<String> read = readingTheStackContext(app).stream().map(Stack::getStackName).toList();
                Synth.of(app);
                return Stream.concat(read.stream(), examplesSynthesizedWith(Map.of()).stream()
                        .filter(name -> !read.contains(name))).toList();
            });
        }
        return SYNTHESIZED.computeIfAbsent(Map.copyOf(context), given -> {
            App app = TestApps.newApp(given);
            List<String> built = ExamplesApp.build(app, null).stream().map(Stack::getStackName).toList();
            Synth.of(app);
            return built;
        });
    }

    /** The examples that are PullThroughCacheStacks, made as ExamplesApp makes them. */
    private static List<PullThroughCacheStack> readingTheStackContext(App app) {
        List<PullThroughCacheStack> stacks = new ArrayList<>();
        stacks.add(QuickStartExample.create(app, "PullThroughCacheQuickStart"));
        MultiRegionExample.create(app, "PullThroughCache").stream().filter(PullThroughCacheStack.class::isInstance)
                .map(PullThroughCacheStack.class::cast).forEach(stacks::add);
        return stacks;
    }

    @Test
    void theStackContextIsReadByTheExamplesStacksOnly() {
        // the stack's context is read by PullThroughCacheStack alone, through StackContext, which no other package
        // can reach; the examples that are PullThroughCacheStacks are those readingTheStackContext makes
        assertThat(java.lang.reflect.Modifier.isPublic(forName("io.github.pullthroughcache.stack.StackContext")
                .getModifiers())).isFalse();
        assertThat(ExamplesSynthesis.stacks().stream().filter(PullThroughCacheStack.class::isInstance)
                .map(Stack::getStackName)).containsExactlyInAnyOrderElementsOf(
                        readingTheStackContext(TestApps.newApp(Map.of())).stream().map(Stack::getStackName).toList());
        // and no example reads one of its keys itself
        assertThat(ExamplesApp.CONTEXT_KEYS).doesNotContainAnyElementsOf(PullThroughCacheStack.CONTEXT_KEYS);
    }

    private static Class<?> forName(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherCommands")
    void everyOtherCommandRunsInCi(String command) {
        if (NOT_RUN_HERE.containsKey(command)) {
            return;
        }
        assertThat(CI.lines().map(String::strip)).as(".ci/run runs the README's command").contains(command);
    }

    @Test
    void theCommandsAreFoundAtAll() {
        assertThat(cdkCommands()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(otherCommands()).contains("npm ci && npx cdk synth", "mvn -B verify");
    }

    @Test
    void theBadContextValueQuotedInTheReadmeIsTheOneLineTheAppPrints() {
        assertThatThrownBy(() -> new PullThroughCacheStack(TestApps.newApp(Map.of("temporaryNat", "maybe")), "S", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Context 'temporaryNat' is 'maybe': expected true or false");
        // ExamplesApp.main prints "Error: " and the message of an IllegalArgumentException, alone on its line
        assertThat(ALL.replaceAll("\\s+", " "))
                .contains("`Error: Context 'temporaryNat' is 'maybe': expected true or false`");
    }

    @Test
    void anImportedVpcWithTheNatButNoPublicSubnetNamesTheContextAttributes() {
        String isolatedOnly = "{\"vpcId\":\"vpc-0123456789abcdef0\",\"vpcCidrBlock\":\"10.1.0.0/16\","
                + "\"availabilityZones\":[\"eu-west-1a\"],\"isolatedSubnetIds\":[\"subnet-0123456789abcdef1\"],"
                + "\"isolatedSubnetRouteTableIds\":[\"rtb-0123456789abcdef3\"]}";
        App app = TestApps.newApp(Map.of("vpc", isolatedOnly, "temporaryNat", "true"));

        assertThatThrownBy(() -> new PullThroughCacheStack(app, "S", null))
                .hasMessageStartingWith("Context 'vpc' is '" + isolatedOnly + "': ")
                .hasMessageContaining("expected 'publicSubnetIds' and 'publicSubnetRouteTableIds' among the attributes "
                        + "while temporaryNat is true")
                .hasMessageContaining("-c temporaryNat=false");
    }

    @Test
    void theKubernetesNodesFilesShownAreTheOnesTheLibraryGenerates() {
        ReadmeFragments.KubernetesNodes stack = new ReadmeFragments.KubernetesNodes(TestApps.newApp());
        Map<String, String> generated = Map.of(
                "generated: hosts-toml", stack.mirrors.hostsToml("docker.io"),
                "generated: node-config", stack.mirrors.nodeConfig(),
                "generated: credential-provider-config", stack.mirrors.credentialProviderConfig(),
                "generated: bottlerocket-settings", stack.mirrors.bottlerocketSettings(),
                // rendered before it is indented: the user data is rendered at synthesis
                "generated: ec2-node-class", ec2NodeClass(io.github.pullthroughcache.testing.RenderedText.of(stack,
                        stack.mirrors.ec2NodeClassUserData())));
        generated.forEach((marker, text) -> {
            Block block = blocks().stream().filter(b -> marker.equals(b.marker())).findFirst()
                    .orElseThrow(() -> new AssertionError("no block <!-- " + marker + " --> in any page"));
            assertThat(block.text()).as(marker).isEqualTo(io.github.pullthroughcache.testing.RenderedText.of(stack, text));
        });
    }

    /** The Karpenter EC2NodeClass the README shows: Amazon Linux 2023 nodes, with the mirrors' user data. */
    private static String ec2NodeClass(String userData) {
        return "apiVersion: karpenter.k8s.aws/v1\n"
                + "kind: EC2NodeClass\n"
                + "metadata:\n"
                + "  name: pull-through-cache\n"
                + "spec:\n"
                + "  amiSelectorTerms:\n"
                + "    - alias: al2023@latest\n"
                + "  role: KarpenterNodeRole-my-cluster   # the role that mirrors.grantPull(karpenterNodeRole) granted\n"
                + "  subnetSelectorTerms:\n"
                + "    - tags:\n"
                + "        karpenter.sh/discovery: my-cluster\n"
                + "  securityGroupSelectorTerms:\n"
                + "    - tags:\n"
                + "        karpenter.sh/discovery: my-cluster\n"
                + "  userData: |\n"
                + userData.lines().map(line -> line.isEmpty() ? "" : "    " + line).collect(Collectors.joining("\n"))
                + "\n";
    }

    @Test
    void theDependencySnippetNamesThisBuildsCoordinates() {
        String pom = read("pom.xml");
        Matcher version = Pattern.compile("<artifactId>pull-through-cache-cdk</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(version.find()).isTrue();
        Block snippet = blocks().stream().filter(b -> "dependency".equals(b.marker())).findFirst().orElseThrow();
        assertThat(snippet.text()).contains("<groupId>io.github.pullthroughcache</groupId>",
                "<artifactId>pull-through-cache-cdk</artifactId>", "<version>" + version.group(1) + "</version>");
    }

    @Test
    void theRuleReplacementTroubleshootingRestsOnTheSchemaOfTheRule() throws IOException {
        // the README's way out of a replaced rule holds while every setting of a rule is create-only
        var schema = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                ROOT.resolve("src/test/resources/cfn-schemas/aws-ecr-pullthroughcacherule.json").toFile());
        assertThat(schema.path("createOnlyProperties").toString()).contains("/properties/CredentialArn",
                "/properties/CustomRoleArn", "/properties/UpstreamRegistry", "/properties/UpstreamRepositoryPrefix");
        assertThat(schema.path("primaryIdentifier").toString()).isEqualTo("[\"/properties/EcrRepositoryPrefix\"]");
        assertThat(README).contains("`PullThroughCacheRuleAlreadyExistsException`");
    }

    @Test
    void everyJavaBlockShowsTheImportsItNeeds() {
        // a type the block names is imported by the block: by its own line, or its package's wildcard
        Map<String, String> explicit = new LinkedHashMap<>();
        Matcher imports = Pattern.compile("(?m)^import ((?:\\w+\\.)+)(\\w+);$").matcher(FRAGMENTS);
        while (imports.find()) {
            explicit.put(imports.group(2), imports.group(1) + imports.group(2));
        }
        Path library = ROOT.resolve("src/main/java/io/github/pullthroughcache");
        List<String> problems = new ArrayList<>();
        for (Block block : blocks()) {
            if (!block.language().equals("java")) {
                continue;
            }
            List<String> lines = block.text().lines().toList();
            List<String> shown = lines.stream().filter(line -> line.startsWith("import ")).toList();
            String body = lines.stream().filter(line -> !line.startsWith("import "))
                    .map(line -> line.replaceAll("//.*$", "").replaceAll("\"[^\"]*\"", "\"\""))
                    .collect(Collectors.joining("\n"));
            Matcher types = Pattern.compile("\\b[A-Z]\\w*\\b").matcher(body);
            java.util.Set<String> missing = new java.util.TreeSet<>();
            while (types.find()) {
                String type = types.group();
                String qualified = explicit.get(type);
                if (qualified == null) {
                    for (String pkg : List.of("", "images/", "monitoring/", "network/", "operations/", "registry/", "rule/",
                            "stack/")) {
                        if (Files.exists(library.resolve(pkg + type + ".java"))) {
                            qualified = "io.github.pullthroughcache." + pkg.replace("/", ".") + type;
                        }
                    }
                }
                if (qualified == null) {
                    continue;   // java.lang, or a name of the surrounding class such as MyStack
                }
                String wildcard = "import " + qualified.substring(0, qualified.lastIndexOf('.')) + ".*;";
                if (!shown.contains("import " + qualified + ";") && !shown.contains(wildcard)) {
                    missing.add(type);
                }
            }
            if (!missing.isEmpty()) {
                problems.add((block.marker() != null ? block.marker() : block.text().lines().findFirst().orElse(""))
                        + " does not import " + missing);
            }
        }
        assertThat(problems).isEmpty();
    }

    /** The anchors of a page's headings, as GitHub makes them. */
    private static List<String> anchors(String page, int fromLevel, int toLevel) {
        List<String> anchors = new ArrayList<>();
        Matcher headings = Pattern.compile("(?m)^(#{" + fromLevel + "," + toLevel + "}) (.+)$")
                .matcher(page.replaceAll("(?s)```.*?```", ""));
        while (headings.find()) {
            anchors.add(headings.group(2).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9 _-]", "")
                    .replace(' ', '-'));
        }
        return anchors;
    }

    @Test
    void theContentsListEverySectionAndEveryLinkFindsAHeading() {
        String prose = README.replaceAll("(?s)```.*?```", "");
        List<String> anchors = anchors(README, 2, 4);
        List<String> sections = anchors(README, 2, 2).stream().filter(anchor -> !anchor.equals("contents")).toList();
        int start = prose.indexOf("## Contents\n");
        assertThat(start).as("a table of contents").isPositive();
        String contents = prose.substring(start, prose.indexOf("\n## ", start + 1));
        for (String section : sections) {
            assertThat(contents).as("the contents list ## " + section).contains("(#" + section + ")");
        }
        Matcher links = Pattern.compile("\\]\\(#([\\w-]+)\\)").matcher(prose);
        while (links.find()) {
            assertThat(anchors).as("a heading for the link #" + links.group(1)).contains(links.group(1));
        }
        // a newcomer's order: running it, one's own app, the cache, the first pull, what goes wrong, then the rest
        assertThat(sections).startsWith("quick-start", "your-own-app", "the-cache-in-one-call",
                "first-pull-step-by-step", "troubleshooting", "reference");

        // each page of docs/ is in the README's contents, with each of its sections
        List<String> docs = PAGES.keySet().stream().filter(path -> path.startsWith("docs/")).toList();
        assertThat(docs).as("the reference's pages").hasSizeGreaterThanOrEqualTo(5);
        for (String page : docs) {
            String text = PAGES.get(page).replaceAll("(?s)```.*?```", "");
            assertThat(text).as(page + ": its title first").startsWith("# ");
            assertThat(Pattern.compile("(?m)^# ").matcher(text).results()).as(page + ": one title").hasSize(1);
            assertThat(contents).as("the contents list " + page).contains("(" + page + ")");
            for (String section : anchors(PAGES.get(page), 2, 2)) {
                assertThat(contents).as("the contents list " + page + "#" + section)
                        .contains("(" + page + "#" + section + ")");
            }
        }
        assertThat(contents).as("copied registries, an entry of its own")
                .contains("(docs/images.md#copied-registries-the-registries-the-pull-through-cache-cannot-serve)");
    }

    @Test
    void everyLinkBetweenThePagesFindsItsPageAndHeading() {
        Pattern link = Pattern.compile("\\]\\((?![a-z]+:)([^)#\\s]*)(?:#([\\w-]+))?\\)");
        List<String> problems = new ArrayList<>();
        int found = 0;
        for (Map.Entry<String, String> page : PAGES.entrySet()) {
            Matcher links = link.matcher(page.getValue().replaceAll("(?s)```.*?```", ""));
            while (links.find()) {
                found++;
                Path from = ROOT.resolve(page.getKey());
                String target = links.group(1).isEmpty() ? page.getKey()
                        : ROOT.relativize(from.resolveSibling(links.group(1)).normalize()).toString();
                if (!Files.exists(ROOT.resolve(target))) {
                    problems.add(page.getKey() + ": " + links.group() + ": no file " + target);
                } else if (links.group(2) != null && (!PAGES.containsKey(target)
                        || !anchors(PAGES.get(target), 1, 4).contains(links.group(2)))) {
                    problems.add(page.getKey() + ": " + links.group() + ": no heading #" + links.group(2)
                            + " in " + target);
                }
            }
        }
        assertThat(found).as("links between the pages").isGreaterThan(PAGES.size());
        assertThat(problems).isEmpty();
    }

    @Test
    void theCapabilityMapLinksEachCapabilityBeforeTheContents() {
        String map = README.substring(0, README.indexOf("## Contents\n"));
        for (String capability : List.of("ECS tasks", "Kubernetes nodes", "Consumer accounts", "Copied registries",
                "Day 2")) {
            assertThat(map.lines().filter(line -> line.startsWith("- **" + capability + "**")).findFirst())
                    .as("a line of the map for " + capability).isPresent();
        }
        // each line of the map, with its continuation, links where the capability is told
        for (String item : map.substring(map.indexOf("\n- **")).split("\n- ")) {
            if (!item.isBlank()) {
                assertThat(item).as("a link in: " + item).containsPattern("\\]\\((#|docs/)");
            }
        }
        // what the README lists of the library's pages, the map links too
        for (String page : PAGES.keySet()) {
            if (page.startsWith("docs/") && !page.equals("docs/checks.md") && !page.equals("docs/development.md")) {
                assertThat(map).as("the map links " + page).contains("(" + page);
            }
        }
    }

    @Test
    void theListOfExampleStacksIsWhatTheExamplesAppSynthesizes() {
        String page = PAGES.get("docs/examples.md");
        String table = page.substring(page.indexOf("| Stack | What it shows |"));
        table = table.substring(0, table.indexOf("\n\n") < 0 ? table.length() : table.indexOf("\n\n"));
        List<String> listed = new ArrayList<>();
        for (String row : table.lines().skip(2).toList()) {
            Matcher names = Pattern.compile("`(\\w+)`").matcher(row.split("\\|")[1]);
            while (names.find()) {
                listed.add(names.group(1));
            }
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(
                ExamplesSynthesis.stacks().stream().map(Stack::getStackName).toList());
        // a count of them would drift: none is written
        assertThat(ALL).doesNotContainPattern("(?i)\\b(\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                + "twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty)"
                + "\\s+(example\\s+stacks|examples)\\b");
    }

    @Test
    void noSentenceIsSaidTwice() {
        String prose = ALL.replaceAll("(?s)```.*?```", "").replaceAll("\\s+", " ");
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String sentence : prose.split("(?<=[.!?]) ")) {
            if (sentence.split(" ").length >= 6 && !sentence.startsWith("|")) {
                seen.merge(sentence.strip(), 1, Integer::sum);
            }
        }
        assertThat(seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)).isEmpty();
        assertThat(prose.split("Every prop is optional", -1)).as("said once").hasSize(2);
    }

    /** Splits a command line as sh does for the forms the README uses: words, and '…' or "…" quoting. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static String read(String path) {
        try {
            return Files.readString(ROOT.resolve(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
