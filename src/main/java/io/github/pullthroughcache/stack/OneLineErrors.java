package io.github.pullthroughcache.stack;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a CDK app's {@code main} so that a value the library refuses reaches the user as one line,
 * {@code Error: <message>}, with exit status 1, instead of a stack trace that Maven wraps several times. Anything
 * else is a bug and keeps its stack trace.
 *
 * <pre>
 * public static void main(String[] args) {
 *     OneLineErrors.run(() -&gt; {
 *         App app = new App();
 *         new MyStack(app, "MyStack", StackProps.builder().build());
 *         app.synth();
 *     });
 * }
 * </pre>
 *
 * <p>A refused value is an {@link IllegalArgumentException} thrown while the app is built, or an error that comes
 * back through jsii from the CDK's Node.js side during {@code app.synth()}: a validation error, or an
 * {@code IllegalArgumentException} of an aspect, whose Java type jsii does not keep. Its message is kept, jsii's
 * Node.js stack is not. A failed validation prints one {@code Error: [<construct path>] <message>} line per error,
 * without aws-cdk's header.
 */
public final class OneLineErrors {

    /** What jsii appends to the message of an error of the Node.js side: its stack, useless to a user. */
    private static final String JSII_STACK = "\n@jsii/kernel.";

    /** aws-cdk's header of a failed validation, which an indented {@code [path] message} line per error follows. */
    private static final Pattern VALIDATION_HEADER =
            Pattern.compile("^(?:\\w+: )?Validation failed with the following errors:\n");

    private OneLineErrors() {
    }

    /**
     * Runs the app; on a refused value, prints {@code Error: <message>} on standard error and exits with status 1.
     *
     * @param app builds and synthesizes the app
     */
    public static void run(Runnable app) {
        int status = run(app, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * @param app builds and synthesizes the app
     * @param err where the error line goes
     * @return 0, or 1 after a refused value
     */
    static int run(Runnable app, PrintStream err) {
        try {
            app.run();
            return 0;
        } catch (RuntimeException e) {
            String message = messageOf(e);
            if (message == null) {
                throw e;
            }
            for (String error : errorsOf(message)) {
                err.println("Error: " + error);
            }
            return 1;
        }
    }

    /**
     * @param e what the app threw
     * @return the message to show, or {@code null} for a bug, whose stack trace is what helps
     */
    static String messageOf(RuntimeException e) {
        String message = e.getMessage();
        if (e instanceof IllegalArgumentException) {
            return message;
        }
        int stack = message == null ? -1 : message.indexOf(JSII_STACK);
        return stack < 0 ? null : message.substring(0, stack);
    }

    /**
     * @param message a refusal's message
     * @return the errors it holds, one line each: each of a failed validation, or the message itself
     */
    static List<String> errorsOf(String message) {
        Matcher header = VALIDATION_HEADER.matcher(message);
        if (!header.find()) {
            return List.of(message);
        }
        List<String> errors = new ArrayList<>();
        for (String line : message.substring(header.end()).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("  [") || errors.isEmpty()) {
                errors.add(line.strip());
            } else {
                // an error of several lines stays on its one line
                errors.set(errors.size() - 1, errors.get(errors.size() - 1) + " " + line.strip());
            }
        }
        return errors.isEmpty() ? List.of(message) : errors;
    }
}
