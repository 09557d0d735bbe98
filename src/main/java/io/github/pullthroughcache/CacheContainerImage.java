package io.github.pullthroughcache;

import java.util.List;
import java.util.function.Consumer;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerImageConfig;
import software.amazon.awscdk.services.iam.IRole;
import software.constructs.Construct;
import software.constructs.IDependable;

/**
 * An image pulled through the cache: binding it grants the task execution role, as {@code EcrImage} does, and makes
 * the task definition (so its services) wait for what the first pull needs: the rule and its creation template, the
 * registry policy, the VPC endpoints and the temporary NAT gateway's routes, those of them that exist in the app.
 */
final class CacheContainerImage extends ContainerImage {

    private final String imageUri;
    private final Consumer<IRole> grantExecutionRole;
    private final List<IDependable> before;

    CacheContainerImage(String imageUri, Consumer<IRole> grantExecutionRole, List<IDependable> before) {
        this.imageUri = imageUri;
        this.grantExecutionRole = grantExecutionRole;
        this.before = before;
    }

    @Override
    public ContainerImageConfig bind(Construct scope, ContainerDefinition containerDefinition) {
        grantExecutionRole.accept(containerDefinition.getTaskDefinition().obtainExecutionRole());
        if (!before.isEmpty()) {
            // the task definition's resource only: its execution role is named in the registry policy, so the role
            // must not wait for the policy
            containerDefinition.getTaskDefinition().getNode().getDefaultChild().getNode()
                    .addDependency(before.toArray(IDependable[]::new));
        }
        return ContainerImageConfig.builder().imageName(imageUri).build();
    }
}
