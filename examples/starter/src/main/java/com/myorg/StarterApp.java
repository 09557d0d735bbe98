package com.myorg;

import io.github.pullthroughcache.stack.OneLineErrors;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The app {@code cdk.json} runs. A value the library refuses is printed as one line, {@code Error: <message>},
 * and the app exits with status 1.
 */
public final class StarterApp {

    private StarterApp() {
    }

    /** @param args unused */
    public static void main(String[] args) {
        OneLineErrors.run(() -> {
            // no construct stack traces: in a Java app their first frame is jsii's runtime, printed before warnings
            App app = new App(AppProps.builder().stackTraces(false).build());
            new StarterStack(app, "PullThroughCacheStarter", StackProps.builder()
                    // the account and region the CLI's credentials give; none without credentials. To pin them:
                    // Environment.builder().account("123456789012").region("eu-west-1").build()
                    .env(Environment.builder()
                            .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                            .region(System.getenv("CDK_DEFAULT_REGION"))
                            .build())
                    .build());
            app.synth();
        });
    }
}
