package io.flotilla.deploy;

import io.flotilla.ci.Forge;
import io.flotilla.ci.GithubApp;
import io.flotilla.ci.Repository;
import io.flotilla.ci.RepositoryRegistrar;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla repo}: registers the repositories whose webhooks the cluster takes, in the file that
 * {@code flotilla server --repositories} reads (see {@link RepositoryRegistrar} and docs/ci.md). Running nodes read
 * the file again when it changes.
 */
@Command(name = "repo", mixinStandardHelpOptions = true,
        description = "Registers a repository whose GitHub or GitLab webhooks the cluster takes.",
        subcommands = RepoCommand.Add.class)
final class RepoCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("say 'flotilla repo add --file FILE --forge github|gitlab --name NAME "
                + "--clone-url URL'");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Adds a repository to the registration file (made if missing), with a new secret unless "
                    + "--secret-file gives one, and says what to set in the forge's webhook.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--file", paramLabel = "FILE", required = true,
                description = "The registration file, as 'flotilla server --repositories FILE' reads it.")
        Path file;

        @Option(names = "--forge", paramLabel = "FORGE", required = true, description = "github or gitlab.")
        String forge;

        @Option(names = "--name", paramLabel = "NAME", required = true,
                description = "owner/name on GitHub; the project's path (group/sub/project) on GitLab.")
        String name;

        @Option(names = "--clone-url", paramLabel = "URL", required = true, description = "What git fetches from.")
        String cloneUrl;

        @Option(names = "--secret-file", paramLabel = "FILE",
                description = "The webhook's secret, in a file only its owner may read. Default: a new random one "
                        + "in secrets/ next to the registration file.")
        Path secretFile;

        @Option(names = "--api-url", paramLabel = "URL",
                description = "The forge's API, for GitHub Enterprise or a self-hosted GitLab.")
        String apiUrl;

        @Option(names = "--status-token-file", paramLabel = "FILE",
                description = "The token that reports commit statuses.")
        Path statusTokenFile;

        @Option(names = "--clone-credentials-file", paramLabel = "FILE", description = "Credentials for the clone.")
        Path cloneCredentialsFile;

        @Option(names = "--forks", paramLabel = "POLICY", defaultValue = "none",
                description = "What a fork's pull request runs: none or run (default: ${DEFAULT-VALUE}).")
        String forks;

        @Option(names = "--app-id", paramLabel = "ID",
                description = "The GitHub App's id: with --installation-id and --app-key-file, reports go as Check "
                        + "Runs with an annotation per failing test instead of commit statuses.")
        Long appId;

        @Option(names = "--installation-id", paramLabel = "ID",
                description = "The app's installation on the repository's account.")
        Long installationId;

        @Option(names = "--app-key-file", paramLabel = "FILE",
                description = "The app's private key (PEM), in a file only its owner may read.")
        Path appKeyFile;

        @Override
        public Integer call() throws Exception {
            long appFields = Stream.of(appId, installationId, appKeyFile).filter(Objects::nonNull)
                    .count();
            if (appFields != 0 && appFields != 3) {
                throw new IllegalArgumentException("--app-id, --installation-id and --app-key-file go together");
            }
            Optional<GithubApp> app = appFields == 0 ? Optional.empty()
                    : Optional.of(new GithubApp(appId, installationId, appKeyFile.toAbsolutePath()));
            Forge kind = Forge.named(forge).orElseThrow(() -> new IllegalArgumentException(
                    "--forge is github or gitlab, got '" + forge + "'"));
            Repository.ForkPolicy policy = Repository.ForkPolicy.named(forks).orElseThrow(() ->
                    new IllegalArgumentException("--forks is none or run, got '" + forks + "'"));
            Path secret = RepositoryRegistrar.add(file, new RepositoryRegistrar.NewRepository(kind, name, cloneUrl,
                    Optional.ofNullable(secretFile).map(Path::toAbsolutePath), Optional.ofNullable(apiUrl),
                    Optional.ofNullable(statusTokenFile).map(Path::toAbsolutePath),
                    Optional.ofNullable(cloneCredentialsFile).map(Path::toAbsolutePath), policy, app));
            System.out.println("registered " + kind.title() + " repository " + name + " in " + file);
            System.out.println("its webhook: URL https://NODE:PORT/v1/webhooks/" + kind.key()
                    + (kind == Forge.GITHUB ? ", content type application/json, secret" : ", secret token")
                    + ": the contents of " + secret);
            return 0;
        }
    }
}
