package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code flotilla run}: one job, in its own container, on the cluster. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs PROGRAM in its own container on the cluster (or on a single-node cluster started here) "
                + "and prints the end of its output. Exit status: 0 passed, 1 failed, 2 usage, 3 unreachable.")
public final class RunCommand extends JobCommand {
    @Override
    int run(FlotillaClient client, ObjectNode job, PrintWriter out, PrintWriter err) throws Exception {
        ObjectNode run = FlotillaClient.JSON.createObjectNode();
        run.putArray("jobs").add(job);
        String runId = client.submit(run, null);
        RunFollower follower = new RunFollower(client, err, terminal());
        JsonNode end = follower.await(runId);
        reports.write(client, end, index -> String.join(" ", command));
        JsonNode ended = client.jobs(runId, null).get(0);
        out.print(ended.path("output").asText(""));
        out.flush();
        if (!end.get("state").asText().equals("passed")) {
            err.println("flotilla: the job failed: " + RunFollower.describe(ended.path("result")));
            return ExitCodes.FAILED;
        }
        return ExitCodes.PASSED;
    }
}
