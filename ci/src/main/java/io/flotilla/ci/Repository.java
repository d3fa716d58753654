package io.flotilla.ci;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * One repository an operator registered: whose webhooks are taken, how to clone it and where to report. The secrets
 * stay in their files and in this record's {@code secret}; {@link #toString()} never shows them, so no log does.
 *
 * @param name {@code owner/name} on GitHub, the project's path ({@code group/sub/project}) on GitLab
 * @param secret the webhook's secret: the HMAC key of GitHub's signature, or GitLab's token
 * @param cloneUrl what {@code git fetch} fetches from
 * @param cloneCredentials a file with the credentials for the clone, if it needs any
 * @param apiUrl the forge's API, for statuses and checks
 * @param statusToken a file with the token that reports statuses
 * @param forks what a pull request from a fork runs
 * @param app the GitHub App installation that reports Check Runs instead of statuses, if the repository has one
 * @param defaultSuites what a commit without a {@code .flotilla.yml} runs, written as that file, if anything
 */
public record Repository(String name, Forge forge, byte[] secret, String cloneUrl, Optional<Path> cloneCredentials,
                         String apiUrl, Optional<Path> statusToken, ForkPolicy forks, Optional<GithubApp> app,
                         Optional<String> defaultSuites) {
    /** What a fork's pull request may run: its code is anyone's, so by default nothing. */
    public enum ForkPolicy {
        /** Nothing: the delivery is answered, and the pull request gets no status. */
        NONE,
        /** Its suites, in containers that get none of the registration's secrets and no network. */
        RUN;

        /** The policy a registration or a command names ({@code none}, {@code run}, in any case), if any. */
        public static Optional<ForkPolicy> named(String name) {
            return Arrays.stream(values()).filter(policy -> policy.name().equalsIgnoreCase(name))
                    .findFirst();
        }
    }

    /** Whether the forge hears that a suite runs, not only that it waits: GitLab's statuses and Check Runs do. */
    boolean reportsRunning() {
        return forge == Forge.GITLAB || app.isPresent();
    }

    @Override
    public String toString() {
        return "Repository[" + forge.key() + " " + name + ", clone " + cloneUrl + ", api " + apiUrl + ", forks "
                + forks.name().toLowerCase() + app.map(a -> ", app " + a.appId() + " installation "
                + a.installationId()).orElse("") + "]";
    }
}
