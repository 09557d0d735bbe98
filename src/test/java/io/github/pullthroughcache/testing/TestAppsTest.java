package io.github.pullthroughcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnWaitConditionHandle;
import software.amazon.awscdk.Stack;

/** The apps of the tests write into folders of their own, which are removed: a test leaves no cdk-test-* folder. */
class TestAppsTest {

    @Test
    void anAppsOutputFolderIsItsOwnAndIsRemovedWithWhatTheSynthesisWroteInIt() {
        App app = TestApps.newApp();
        new CfnWaitConditionHandle(new Stack(app, "Written"), "Handle");
        app.synth();
        Path outdir = Path.of(app.getOutdir());
        assertThat(outdir.getFileName().toString()).startsWith("cdk-test-");
        assertThat(outdir.resolve("Written.template.json")).isRegularFile();
        assertThat(outdir.resolve("manifest.json")).isRegularFile();

        TestApps.removeOutdir(app);

        assertThat(Files.exists(outdir)).isFalse();
    }

    @Test
    void aBareAppHasNoContextAndWritesIntoAFolderThatIsRemovedToo() {
        App app = TestApps.bareApp();
        Path outdir = Path.of(app.getOutdir());
        assertThat(outdir.getFileName().toString()).startsWith("cdk-test-");
        assertThat(app.getNode().tryGetContext("@aws-cdk/core:validateAgainstDefaultRules")).isNull();
        assertThat(TestApps.newApp().getNode().tryGetContext("@aws-cdk/core:validateAgainstDefaultRules")).isNotNull();

        TestApps.removeOutdir(app);

        assertThat(Files.exists(outdir)).isFalse();
    }
}
