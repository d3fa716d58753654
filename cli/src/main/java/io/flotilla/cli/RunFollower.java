package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;

/**
 * Follows a run to its end, showing progress, then prints a summary that names every failure with the end of its
 * output, and says the exit code: 0 when every job passed, 1 otherwise.
 */
final class RunFollower {
    private static final int FAILURES_SHOWN = 20;

    private final FlotillaClient client;
    private final PrintWriter err;
    private final boolean terminal;
    private final long startedAt = System.nanoTime();

    /** Made when the command starts following, which its summary's time counts from. */
    RunFollower(FlotillaClient client, PrintWriter err, boolean terminal) {
        this.client = client;
        this.err = err;
        this.terminal = terminal;
    }

    /** Waits for the run to end; returns its final state. */
    JsonNode await(String runId) throws InterruptedException {
        ProgressView progress = new ProgressView(err, terminal);
        JsonNode run = client.run(runId);
        while (run.get("state").asText().equals("running")) {
            progress.show(run);
            Thread.sleep(250);
            run = client.run(runId);
        }
        progress.finish(run);
        return run;
    }

    /** Prints the run's totals and its failures; returns the exit code. */
    int summarize(JsonNode run) {
        double seconds = (System.nanoTime() - startedAt) / 1e9;
        err.printf("run %s: %d jobs, %d passed, %d failed, %d cancelled in %.1f s%n", run.get("runId").asText(),
                run.get("total").asInt(), run.get("passed").asInt(), run.get("failed").asInt(),
                run.get("cancelled").asInt(), seconds);
        if (run.get("failed").asInt() > 0) {
            List<JsonNode> failures = client.jobs(run.get("runId").asText(), "failed");
            for (JsonNode job : failures.subList(0, Math.min(FAILURES_SHOWN, failures.size()))) {
                err.println("FAILED job " + job.get("job").asInt() + ": " + describe(job.path("result")));
                job.path("output").asText("").lines().forEach(line -> err.println("    " + line));
            }
            if (failures.size() > FAILURES_SHOWN) {
                err.println("... and " + (failures.size() - FAILURES_SHOWN) + " more failures");
            }
        }
        err.flush();
        return run.get("state").asText().equals("passed") ? ExitCodes.PASSED : ExitCodes.FAILED;
    }

    static String describe(JsonNode result) {
        String outcome = result.path("outcome").asText("");
        String how = switch (outcome) {
            case "exited" -> "exit status " + result.path("exitCode").asInt();
            case "signaled" -> "killed by signal " + result.path("signal").asInt();
            case "timed_out" -> "timed out";
            case "memory_limit" -> "hit its memory limit";
            default -> outcome.replace('_', ' ');
        };
        String message = result.path("message").asText("");
        return message.isEmpty() ? how : how + ": " + message;
    }
}
