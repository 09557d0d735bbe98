package io.github.pullthroughcache.images;

import java.util.Objects;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.lambda.IFunction;

/** Properties of an {@link ImageRunStateMachine}: the function that does one image, and how many run at once. */
public final class ImageRunStateMachineProps {

    private final IFunction function;
    private final IRole functionRole;
    private final int imageConcurrency;
    private final String what;

    private ImageRunStateMachineProps(Builder builder) {
        this.function = Objects.requireNonNull(builder.function, "ImageRunStateMachineProps.function");
        this.functionRole = Objects.requireNonNull(builder.functionRole, "ImageRunStateMachineProps.functionRole");
        this.imageConcurrency = builder.imageConcurrency;
        this.what = builder.what;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the function invoked per image, which also starts and answers a deployment's run */
    public IFunction getFunction() {
        return function;
    }

    /** @return the function's role, which may start the state machine */
    public IRole getFunctionRole() {
        return functionRole;
    }

    /** @return most images at once: the Map state's MaxConcurrency */
    public int getImageConcurrency() {
        return imageConcurrency;
    }

    /** @return what runs the images, for descriptions, such as {@code cache warmer} */
    public String getWhat() {
        return what;
    }

    /** Builds {@link ImageRunStateMachineProps}. */
    public static final class Builder {
        private IFunction function;
        private IRole functionRole;
        private int imageConcurrency = 4;
        private String what = "image run";

        private Builder() {
        }

        /**
         * @param function the function invoked per image ({@code handlers/shared/image-run.js})
         * @return this builder
         */
        public Builder function(IFunction function) {
            this.function = function;
            return this;
        }

        /**
         * @param functionRole the function's role: it gets {@code states:StartExecution} on the state machine
         * @return this builder
         */
        public Builder functionRole(IRole functionRole) {
            this.functionRole = functionRole;
            return this;
        }

        /**
         * Most images processed at once. Default: 4.
         *
         * @param imageConcurrency a count from 1, checked by the image run's own props
         * @return this builder
         */
        public Builder imageConcurrency(int imageConcurrency) {
            this.imageConcurrency = imageConcurrency;
            return this;
        }

        /**
         * What runs the images, for descriptions. Default: {@code image run}.
         *
         * @param what such as {@code cache warmer}
         * @return this builder
         */
        public Builder what(String what) {
            this.what = what;
            return this;
        }

        /** @return the props */
        public ImageRunStateMachineProps build() {
            return new ImageRunStateMachineProps(this);
        }
    }
}
