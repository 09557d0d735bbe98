package io.github.pullthroughcache.stack;

import io.github.pullthroughcache.testing.TestApps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.IAspect;
import software.amazon.awscdk.Stack;
import software.constructs.Construct;
import software.constructs.IConstruct;

/** A refused value reaches the user as one line and status 1, however it crossed jsii; a bug keeps its trace. */
class OneLineErrorsTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Runnable app) {
        return OneLineErrors.run(app, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String printed() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRefusedPropIsOneLine() {
        int status = run(() -> new PullThroughCacheStack(TestApps.bareApp(), "S", PullThroughCacheStackProps.builder()
                .repositoryPrefixes(java.util.Map.of("quay", "quay-io")).build()));

        assertThat(status).isEqualTo(1);
        assertThat(printed()).startsWith("Error: Prefixes (PullThroughCacheStackProps.repositoryPrefixes or context "
                + "'prefixes') name 'quay'").endsWith("[ecr-public]" + System.lineSeparator());
        assertThat(printed().lines()).hasSize(1);
    }

    @Test
    void aRefusalInAnAspectLosesItsTypeInJsiiButNotItsMessage() {
        int status = run(() -> {
            App app = TestApps.bareApp();
            Stack stack = new Stack(app, "S");
            Aspects.of(stack).add(new IAspect() {
                @Override
                public void visit(IConstruct node) {
                    if (node == stack) {
                        throw new IllegalArgumentException("Refused at synth");
                    }
                }
            });
            app.synth();
        });

        assertThat(status).isEqualTo(1);
        assertThat(printed()).isEqualTo("Error: Refused at synth" + System.lineSeparator());
    }

    @Test
    void aFailedValidationIsOneErrorLinePerError() {
        int status = run(() -> {
            App app = TestApps.bareApp();
            Stack stack = new Stack(app, "S");
            new Construct(stack, "C").getNode().addValidation(() -> List.of("nothing serves 'x'", "two\nlines"));
            new Construct(stack, "D").getNode().addValidation(() -> List.of("nothing serves 'y'"));
            app.synth();
        });

        assertThat(status).isEqualTo(1);
        assertThat(printed().lines()).containsExactly("Error: [S/C] nothing serves 'x'", "Error: [S/C] two lines",
                "Error: [S/D] nothing serves 'y'");
    }

    @Test
    void aBugKeepsItsStackTrace() {
        NullPointerException bug = new NullPointerException("a bug");
        assertThatThrownBy(() -> run(() -> {
            throw bug;
        })).isSameAs(bug);
        assertThat(printed()).isEmpty();
        assertThat(run(() -> { })).isZero();
    }
}
