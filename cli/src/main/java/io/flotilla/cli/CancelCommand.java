package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code flotilla cancel}: stop a run; its running jobs are killed on every node. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a run.")
public final class CancelCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", description = "The run id.")
    String runId;

    @Override
    int execute(PrintWriter out, PrintWriter err) {
        JsonNode run = cluster.remote().cancel(runId);
        out.printf("%s cancelled: %d passed, %d failed, %d cancelled%n", run.get("runId").asText(),
                run.get("passed").asInt(), run.get("failed").asInt(), run.get("cancelled").asInt());
        return ExitCodes.PASSED;
    }
}
