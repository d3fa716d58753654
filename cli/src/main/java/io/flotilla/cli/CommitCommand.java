package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla commit}: what the webhooks made of one commit of a registered repository. */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = "Prints the runs a push or pull request started for a commit: one per suite of its "
                + ".flotilla.yml, with the status each last sent. Exit status: 0 when none failed, 1 when one did.")
public final class CommitCommand extends ClientCommand {
    private static final Set<String> FAILED = Set.of("failure", "error", "canceled");

    @Parameters(index = "0", paramLabel = "REPO", description = "The repository as registered, like acme/widgets.")
    String repository;

    @Parameters(index = "1", paramLabel = "SHA", description = "The commit, 40 hex digits.")
    String sha;

    @Option(names = "--forge", paramLabel = "github|gitlab",
            description = "The forge, when the name is registered for both.")
    String forge;

    @Override
    int execute(PrintWriter out, PrintWriter err) {
        JsonNode found = cluster.remote().commitRuns(repository, sha, forge);
        if (found.get("commits").isEmpty()) {
            out.println("no delivery asked for " + found.get("forge").asText() + ":" + repository + "@" + sha);
            return ExitCodes.PASSED;
        }
        boolean failed = false;
        for (JsonNode commit : found.get("commits")) {
            String failure = commit.get("failure").asText();
            out.println(commit.get("commit").asText() + ": " + (!failure.isEmpty() ? "error: " + failure
                    : commit.get("checkedOut").asBoolean() ? "fetched" : "fetching"));
            failed |= !failure.isEmpty();
            for (JsonNode suite : commit.get("suites")) {
                String status = suite.get("status").asText().isEmpty() ? "queued" : suite.get("status").asText();
                out.printf("  %-24s %-8s %s%n", suite.get("context").asText(), status, suite.get("runId").asText());
                failed |= FAILED.contains(status);
            }
        }
        return failed ? ExitCodes.FAILED : ExitCodes.PASSED;
    }
}
