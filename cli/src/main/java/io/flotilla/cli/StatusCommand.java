package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code flotilla status}: where a run stands. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints a run's state and counts. Exit status: 0 passed or running, 1 failed or cancelled.")
public final class StatusCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", description = "The run id.")
    String runId;

    @Override
    int execute(PrintWriter out, PrintWriter err) {
        JsonNode run = cluster.remote().run(runId);
        out.printf("%s %s: %d jobs, %d pending, %d running, %d passed, %d failed, %d cancelled%n",
                run.get("runId").asText(), run.get("state").asText(), run.get("total").asInt(),
                run.get("pending").asInt(), run.get("running").asInt(), run.get("passed").asInt(),
                run.get("failed").asInt(), run.get("cancelled").asInt());
        String state = run.get("state").asText();
        return state.equals("passed") || state.equals("running") ? ExitCodes.PASSED : ExitCodes.FAILED;
    }
}
