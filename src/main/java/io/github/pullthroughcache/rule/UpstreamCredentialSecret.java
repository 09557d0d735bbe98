package io.github.pullthroughcache.rule;

import io.github.pullthroughcache.internal.NagAcknowledgements;
import io.github.pullthroughcache.internal.Tokens;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * A Secrets Manager secret shaped the way ECR reads an upstream registry's credential: named
 * {@code ecr-pullthroughcache/...}, holding the JSON keys {@code username} and {@code accessToken}.
 *
 * <p>No credential is ever written into the template: the access token starts as a random placeholder,
 * and you put the real one in once after the first deploy:
 * <pre>
 * aws secretsmanager put-secret-value --secret-id ecr-pullthroughcache/docker-hub \
 *   --secret-string '{"username":"me","accessToken":"dckr_pat_..."}'
 * </pre>
 * Later deploys leave the value alone as long as this construct's props stay the same. The secret uses the
 * AWS managed key: ECR's service-linked role has no grant on customer keys.
 */
public class UpstreamCredentialSecret extends Construct {

    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9/_+=.@-]{1,512}$");

    private final Secret secret;
    private final String secretName;

    /**
     * @param scope the parent
     * @param id the construct id
     * @param props the secret's name and the upstream user name
     */
    public UpstreamCredentialSecret(Construct scope, String id, UpstreamCredentialSecretProps props) {
        super(scope, id);
        String name = props.getSecretName();
        if (!Tokens.isUnresolved(name)) {
            if (!name.startsWith(UpstreamRegistry.SECRET_NAME_PREFIX)) {
                name = UpstreamRegistry.SECRET_NAME_PREFIX + name;
            }
            if (!NAME.matcher(name).matches() || name.equals(UpstreamRegistry.SECRET_NAME_PREFIX)) {
                throw new IllegalArgumentException("UpstreamCredentialSecretProps.secretName '" + props.getSecretName()
                        + "' is invalid: expected letters, digits and /_+=.@- after '"
                        + UpstreamRegistry.SECRET_NAME_PREFIX + "', such as 'docker-hub'");
            }
        }
        this.secretName = name;
        this.secret = Secret.Builder.create(this, "Resource")
                .secretName(name)
                .description(props.getDescription() != null ? props.getDescription()
                        : "Upstream registry credential for Amazon ECR pull through cache")
                .generateSecretString(SecretStringGenerator.builder()
                        .secretStringTemplate(Stack.of(this).toJsonString(Map.of("username", props.getUsername())))
                        .generateStringKey("accessToken")
                        .excludePunctuation(true)
                        .passwordLength(32)
                        .build())
                .removalPolicy(props.getRemovalPolicy() != null ? props.getRemovalPolicy() : RemovalPolicy.RETAIN)
                .build();
        String rotation = "An upstream registry access token is issued by that registry; Secrets Manager cannot "
                + "rotate it. Rotate it at the registry and put the new value in the secret.";
        NagAcknowledgements.acknowledge(secret, "AwsSolutions-SMG4", rotation);
        NagAcknowledgements.acknowledge(secret, "NIST.800.53.R5-SecretsManagerRotationEnabled", rotation);
        NagAcknowledgements.acknowledge(secret, "NIST.800.53.R5-SecretsManagerUsingKMSKey", "ECR's pull through "
                + "cache service-linked role reads the secret with the AWS managed key; its policy has no KMS "
                + "permission for a customer managed key.");
    }

    /**
     * @return the secret's full name, such as {@code ecr-pullthroughcache/docker-hub} (the prefix added when the
     *     props' name lacked it); a token when the props gave one
     */
    public String getSecretName() {
        return secretName;
    }

    /** @return the secret, to pass to {@link UpstreamRegistry#dockerHub(ISecret)} and its siblings */
    public ISecret getSecret() {
        return secret;
    }
}
