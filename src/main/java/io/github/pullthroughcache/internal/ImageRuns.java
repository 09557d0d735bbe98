package io.github.pullthroughcache.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.services.iam.ManagedPolicy;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * What the constructs whose function runs over a list of images (the cache warmer, the image copier: handlers built on
 * {@code handlers/shared/image-run.js}) check and grant alike; their engine is {@code images.ImageRunStateMachine}.
 * Internal: not part of the public API.
 */
public final class ImageRuns {

    private ImageRuns() {
    }

    /**
     * A count of a run's settings, such as its concurrency.
     *
     * @param property the setting, for the message, such as {@code CacheWarmerProps.concurrency}
     * @param given the value, or {@code null} for the default, 4
     * @param max the highest value accepted
     * @return the count
     * @throws IllegalArgumentException when the value is not a whole number from 1 to max
     */
    public static int count(String property, Number given, int max) {
        if (given == null) {
            return 4;
        }
        double value = given.doubleValue();
        if (value != Math.rint(value) || value < 1 || value > max) {
            throw new IllegalArgumentException(property + " " + given + " is invalid: expected a whole number from 1 to "
                    + max);
        }
        return (int) value;
    }

    /**
     * {@code ecr:TagResource} for a run's role, limited to the tag keys of the creation templates of the repositories
     * its first pull or push creates: ECR creates such a repository as the caller, tags included. One statement
     * ({@code TagOnCreate}), made with the first template that tags.
     */
    public static final class TagOnCreate {
        private final ManagedPolicy policy;
        private final Set<String> keys = new TreeSet<>();
        private PolicyStatement statement;

        /** @param policy the role's policy, which gets the statement */
        public TagOnCreate(ManagedPolicy policy) {
            this.policy = policy;
        }

        /**
         * @param repositories the repositories' ARN pattern
         * @param tagKeys the keys their creation template tags with; none adds nothing
         */
        public void allow(String repositories, Set<String> tagKeys) {
            if (tagKeys.isEmpty()) {
                return;
            }
            if (statement == null) {
                statement = PolicyStatement.Builder.create()
                        .sid("TagOnCreate")
                        .actions(List.of("ecr:TagResource"))
                        .conditions(Map.of("ForAllValues:StringEquals",
                                Map.of("aws:TagKeys", Lazy.list(() -> List.copyOf(keys)))))
                        .build();
                policy.addStatements(statement);
            }
            statement.addResources(repositories);
            keys.addAll(tagKeys);
        }
    }

    /**
     * Gives a run's handler ecr:GetAuthorizationToken, with which the warmer pulls and the copier pushes through ECR's
     * registry API; the action takes no resource
     * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html).
     *
     * @param handler the handler's builder
     * @param reason why the kind needs the token, for cdk-nag's acknowledgement of the wildcard
     */
    public static void allowRegistryToken(HandlerFunction.Builder handler, String reason) {
        handler.statements(List.of(PolicyStatement.Builder.create()
                        .sid("RegistryToken")
                        .actions(List.of("ecr:GetAuthorizationToken"))
                        .resources(List.of("*"))
                        .build()))
                .wildcards(reason, List.of("*"));
    }
}
