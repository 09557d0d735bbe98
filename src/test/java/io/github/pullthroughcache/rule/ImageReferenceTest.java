package io.github.pullthroughcache.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {

    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            // reference,                                          registry,            repository,                 tag
            "nginx,                                                docker.io,           library/nginx,              -",
            "nginx:1.27,                                           docker.io,           library/nginx,              1.27",
            "library/nginx,                                        docker.io,           library/nginx,              -",
            "docker.io/nginx,                                      docker.io,           library/nginx,              -",
            "docker.io/library/nginx:1.27,                         docker.io,           library/nginx,              1.27",
            "index.docker.io/nginx:latest,                         docker.io,           library/nginx,              latest",
            "registry-1.docker.io/bitnami/redis:7.4,               docker.io,           bitnami/redis,              7.4",
            "bitnami/redis,                                        docker.io,           bitnami/redis,              -",
            "public.ecr.aws/nginx/nginx:1.27,                      public.ecr.aws,      nginx/nginx,                1.27",
            "public.ecr.aws/docker/library/alpine:3.20,            public.ecr.aws,      docker/library/alpine,      3.20",
            "quay.io/prometheus/prometheus:v3.0.0,                 quay.io,             prometheus/prometheus,      v3.0.0",
            "registry.k8s.io/pause:3.10,                           registry.k8s.io,     pause,                      3.10",
            "ghcr.io/owner/app:main,                               ghcr.io,             owner/app,                  main",
            "registry.gitlab.com/group/project/image:1,            registry.gitlab.com, group/project/image,        1",
            "myregistry.azurecr.io/team/api:2.0,                   myregistry.azurecr.io, team/api,                 2.0",
            "cgr.dev/chainguard/static:latest,                     cgr.dev,             chainguard/static,          latest",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1,   123456789012.dkr.ecr.us-east-1.amazonaws.com, app, 1",
            "localhost:5000/app:dev,                               localhost:5000,      app,                        dev",
            "Quay.IO/prometheus/node-exporter,                     quay.io,             prometheus/node-exporter,   -",
    })
    void parsesEveryFormPeopleWrite(String reference, String registry, String repository, String tag) {
        ImageReference parsed = ImageReference.parse(reference);

        assertThat(parsed.getRegistry()).isEqualTo(registry);
        assertThat(parsed.getRepository()).isEqualTo(repository);
        assertThat(parsed.getTag()).isEqualTo(tag);
        assertThat(parsed.getDigest()).isNull();
    }

    @Test
    void parsesADigest() {
        ImageReference parsed = ImageReference.parse("nginx@" + DIGEST);

        assertThat(parsed.getRepository()).isEqualTo("library/nginx");
        assertThat(parsed.getTag()).isNull();
        assertThat(parsed.getDigest()).isEqualTo(DIGEST);
        assertThat(parsed).hasToString("docker.io/library/nginx@" + DIGEST);
    }

    @Test
    void parsesATagPlusADigest() {
        ImageReference parsed = ImageReference.parse("public.ecr.aws/nginx/nginx:1.27@" + DIGEST);

        assertThat(parsed.getTag()).isEqualTo("1.27");
        assertThat(parsed.getDigest()).isEqualTo(DIGEST);
        assertThat(parsed).hasToString("public.ecr.aws/nginx/nginx:1.27@" + DIGEST);
    }

    @Test
    void aPortIsNotATag() {
        ImageReference parsed = ImageReference.parse("localhost:5000/app");

        assertThat(parsed.getRegistry()).isEqualTo("localhost:5000");
        assertThat(parsed.getTag()).isNull();
    }

    @Test
    void movesKeepingTagAndDigest() {
        ImageReference moved = ImageReference.parse("nginx:1.27@" + DIGEST)
                .withLocation("111111111111.dkr.ecr.eu-west-1.amazonaws.com", "docker-hub/library/nginx");

        assertThat(moved).hasToString("111111111111.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx:1.27@" + DIGEST);
    }

    @Test
    void equalReferencesAreEqual() {
        assertThat(ImageReference.parse("nginx:1.27")).isEqualTo(ImageReference.parse("docker.io/library/nginx:1.27"))
                .hasSameHashCodeAs(ImageReference.parse("index.docker.io/nginx:1.27"));
        assertThat(ImageReference.parse("nginx:1.27")).isNotEqualTo(ImageReference.parse("nginx:1.26"));
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource(delimiter = '|', value = {
            "''                              | Image reference is empty",
            "'   '                           | Image reference is empty",
            "Nginx                           | repository path component 'Nginx' must be lowercase",
            "docker.io/UPPER/case            | repository path component 'UPPER' must be lowercase",
            "nginx:                          | tag '' must be 1 to 128 characters",
            "nginx:-bad                      | tag '-bad' must be 1 to 128 characters",
            "nginx@sha256:abc                | digest 'sha256:abc' is not of the form",
            "nginx@md5                       | digest 'md5' is not of the form",
            "quay.io/                        | the repository name is missing",
            "quay.io//prometheus             | repository path component '' must be lowercase",
            "bad_host.example.com/app        | registry host 'bad_host.example.com' is not a valid host name",
    })
    void rejectsMalformedReferencesNamingTheValue(String reference, String message) {
        assertThatThrownBy(() -> ImageReference.parse(reference))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> ImageReference.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Image reference is empty");
    }

    @Test
    void errorNamesTheWholeReference() {
        assertThatThrownBy(() -> ImageReference.parse("quay.io/Prometheus/prometheus"))
                .hasMessageStartingWith("Image reference 'quay.io/Prometheus/prometheus' is invalid");
    }
}
