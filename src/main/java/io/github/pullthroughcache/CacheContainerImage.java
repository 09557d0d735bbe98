package io.github.pullthroughcache;

import java.util.function.Consumer;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerImageConfig;
import software.amazon.awscdk.services.iam.IRole;
import software.constructs.Construct;

/** An image pulled through the cache: binding it grants the task execution role, as {@code EcrImage} does. */
final class CacheContainerImage extends ContainerImage {

    private final String imageUri;
    private final Consumer<IRole> grantExecutionRole;

    CacheContainerImage(String imageUri, Consumer<IRole> grantExecutionRole) {
        this.imageUri = imageUri;
        this.grantExecutionRole = grantExecutionRole;
    }

    @Override
    public ContainerImageConfig bind(Construct scope, ContainerDefinition containerDefinition) {
        grantExecutionRole.accept(containerDefinition.getTaskDefinition().obtainExecutionRole());
        return ContainerImageConfig.builder().imageName(imageUri).build();
    }
}
