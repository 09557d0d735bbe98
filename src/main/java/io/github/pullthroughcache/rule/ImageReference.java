package io.github.pullthroughcache.rule;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A container image reference, parsed the way Docker and containerd read it.
 *
 * <p>Accepts every form people write: {@code nginx}, {@code nginx:1.27}, {@code library/nginx},
 * {@code docker.io/nginx}, {@code index.docker.io/...}, {@code registry-1.docker.io/...},
 * {@code public.ecr.aws/nginx/nginx:1.27}, a digest ({@code @sha256:...}) and a tag plus a digest.
 * The three Docker Hub host names are folded into {@link #DOCKER_HUB}, and an official Docker Hub image
 * gets its implicit {@code library/} namespace, as the registry itself expects.
 *
 * <p>Plain Java: no constructs, no tokens. An instance is immutable.
 */
public final class ImageReference {

    /** The registry host that every Docker Hub alias is folded into. */
    public static final String DOCKER_HUB = "docker.io";

    private static final Set<String> DOCKER_HUB_ALIASES =
            Set.of("docker.io", "index.docker.io", "registry-1.docker.io");

    // From the distribution reference grammar (github.com/distribution/reference).
    private static final Pattern PATH_COMPONENT =
            Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST =
            Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern HOST =
            Pattern.compile("(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?");

    private final String registry;
    private final String repository;
    private final String tag;
    private final String digest;

    private ImageReference(String registry, String repository, String tag, String digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses an image reference.
     *
     * @param reference what a user would pass to {@code docker pull}
     * @return the parsed reference
     * @throws IllegalArgumentException naming the reference and what is wrong with it
     */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("Image reference is empty: expected a name such as 'nginx:1.27' "
                    + "or 'public.ecr.aws/nginx/nginx:1.27'");
        }
        String rest = reference.trim();

        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches() || (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches())) {
                throw invalid(reference, "digest '" + digest + "' is not of the form 'sha256:<64 lowercase hex digits>'");
            }
        }

        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(reference, "tag '" + tag + "' must be 1 to 128 characters of letters, digits, '_', '.' "
                        + "and '-', not starting with '.' or '-'");
            }
        }

        String registry = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.equals(first.toLowerCase(Locale.ROOT))) {
                if (!HOST.matcher(first).matches()) {
                    throw invalid(reference, "registry host '" + first + "' is not a valid host name");
                }
                registry = first.toLowerCase(Locale.ROOT);
                path = rest.substring(slash + 1);
            }
        }
        if (DOCKER_HUB_ALIASES.contains(registry)) {
            registry = DOCKER_HUB;
            if (!path.contains("/")) {
                path = "library/" + path;
            }
        }
        if (path.isEmpty()) {
            throw invalid(reference, "the repository name is missing");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(reference, "repository path component '" + component + "' must be lowercase letters and "
                        + "digits, separated by '.', '_', '__' or '-'");
            }
        }
        if (path.length() > 255) {
            throw invalid(reference, "the repository name is longer than 255 characters");
        }
        return new ImageReference(registry, path, tag, digest);
    }

    private static IllegalArgumentException invalid(String reference, String why) {
        return new IllegalArgumentException("Image reference '" + reference + "' is invalid: " + why);
    }

    /**
     * The same image in another registry and repository, keeping tag and digest.
     *
     * @param newRegistry the registry host; may contain CDK tokens (it is never parsed)
     * @param newRepository the repository path in that registry
     * @return the moved reference
     */
    public ImageReference withLocation(String newRegistry, String newRepository) {
        return new ImageReference(Objects.requireNonNull(newRegistry, "newRegistry"),
                Objects.requireNonNull(newRepository, "newRepository"), tag, digest);
    }

    /** @return the registry host, lowercase; every Docker Hub alias is {@link #DOCKER_HUB} */
    public String getRegistry() {
        return registry;
    }

    /** @return the repository path, with {@code library/} for official Docker Hub images */
    public String getRepository() {
        return repository;
    }

    /** @return the tag, or {@code null} when the reference has none */
    public String getTag() {
        return tag;
    }

    /** @return the digest such as {@code sha256:...}, or {@code null} when the reference has none */
    public String getDigest() {
        return digest;
    }

    /** @return the canonical form {@code registry/repository[:tag][@digest]} */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(registry).append('/').append(repository);
        if (tag != null) {
            out.append(':').append(tag);
        }
        if (digest != null) {
            out.append('@').append(digest);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ImageReference that
                && registry.equals(that.registry)
                && repository.equals(that.repository)
                && Objects.equals(tag, that.tag)
                && Objects.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }
}
