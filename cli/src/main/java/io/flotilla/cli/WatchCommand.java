package io.flotilla.cli;

import java.io.PrintWriter;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code flotilla watch}: follow a run that is already running, as {@code submit} would have. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follows a run to its end with live progress and a summary of its failures. Exit status: 0 "
                + "all passed, 1 any failed, 2 usage, 3 unreachable.")
public final class WatchCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", description = "The run id.")
    String runId;

    @Mixin
    ReportOptions reports;

    @Override
    int execute(PrintWriter out, PrintWriter err) throws Exception {
        FlotillaClient client = cluster.remote();
        RunFollower follower = new RunFollower(client, err, terminal());
        JsonNode end = follower.await(runId);
        reports.write(client, end, index -> "job " + index);
        return follower.summarize(end);
    }
}
