package io.github.pullthroughcache.registry;

import java.util.Objects;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

/**
 * How the repositories that a {@link RepositoryCreationTemplate} creates are encrypted. ECR cannot change a
 * repository's encryption after it is created, so choose before the first image is cached.
 *
 * <p>Any KMS choice needs the template's custom role, which the template creates unless you pass one.
 */
public final class TemplateEncryption {

    /** AES-256 with keys Amazon S3 manages: no KMS key, no custom role. */
    public static final TemplateEncryption AES_256 = new TemplateEncryption("AES256", null, false);

    /** KMS with the AWS managed key of ECR ({@code aws/ecr}). */
    public static final TemplateEncryption KMS_AWS_MANAGED_KEY = new TemplateEncryption("KMS", null, false);

    /**
     * KMS with a customer managed key that the template creates (child {@code Key}): rotation on, and retained
     * when the stack is deleted, so that images encrypted with it stay readable.
     */
    public static final TemplateEncryption KMS_NEW_KEY = new TemplateEncryption("KMS", null, true);

    private final String type;
    private final IKey key;
    private final boolean createsKey;

    private TemplateEncryption(String type, IKey key, boolean createsKey) {
        this.type = type;
        this.key = key;
        this.createsKey = createsKey;
    }

    /**
     * KMS with your customer managed key. The template's role gets {@code kms:CreateGrant},
     * {@code kms:RetireGrant} and {@code kms:DescribeKey} on this key only; the key's policy must let the
     * account's IAM policies grant them (the default key policy does).
     *
     * @param key the key
     * @return the encryption
     */
    public static TemplateEncryption kms(IKey key) {
        return new TemplateEncryption("KMS", Objects.requireNonNull(key, "TemplateEncryption.kms: key is required"),
                false);
    }

    /** @return the encryption type as ECR names it: {@code AES256} or {@code KMS} */
    public String getType() {
        return type;
    }

    /** @return the customer managed key given with {@link #kms(IKey)}, else {@code null} */
    public IKey getKey() {
        return key;
    }

    /** @return whether the template creates its own key ({@link #KMS_NEW_KEY}) */
    public boolean createsKey() {
        return createsKey;
    }

    /** @return whether ECR uses KMS, and so the template needs a custom role */
    public boolean isKms() {
        return !"AES256".equals(type);
    }

    /**
     * The key {@link #KMS_NEW_KEY} creates: rotation on, retained when its stack goes (images encrypted with it
     * must stay readable). One key may serve several templates through {@link #kms(IKey)}.
     *
     * @param scope the parent
     * @param id the construct id
     * @param description what the key encrypts
     * @return the key
     */
    public static Key createKey(Construct scope, String id, String description) {
        return Key.Builder.create(scope, id)
                .description(description)
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    @Override
    public String toString() {
        return this == AES_256 ? "AES_256" : this == KMS_AWS_MANAGED_KEY ? "KMS_AWS_MANAGED_KEY"
                : this == KMS_NEW_KEY ? "KMS_NEW_KEY" : "kms(" + key.getNode().getPath() + ")";
    }
}
