package io.flotilla.ci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Registration files for tests: a GitHub and a GitLab repository, each with its secret in a file of its own. */
final class TestRepositories {
    static final String GITHUB_SECRET = "github-webhook-secret-0123456789";
    static final String GITLAB_SECRET = "gitlab-webhook-token-0123456789";

    private TestRepositories() {
    }

    /** Writes {@code repositories.yml} and its secrets into {@code dir}; returns the file. */
    static Path write(Path dir, String forks) throws IOException {
        secret(dir.resolve("github.secret"), GITHUB_SECRET);
        secret(dir.resolve("gitlab.secret"), GITLAB_SECRET);
        return Files.writeString(dir.resolve("repositories.yml"), """
                repositories:
                  - name: acme/widgets
                    forge: github
                    secret-file: github.secret
                    clone-url: https://github.com/acme/widgets.git
                    forks: %s
                  - name: group/sub/gadgets
                    forge: gitlab
                    secret-file: gitlab.secret
                    clone-url: https://gitlab.example.com/group/sub/gadgets.git
                    api-url: https://gitlab.example.com/api/v4
                """.formatted(forks));
    }

    static void secret(Path file, String secret) throws IOException {
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
