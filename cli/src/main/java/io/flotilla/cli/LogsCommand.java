package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flotilla logs}: the whole output of a job, or of every failed job of a run, from whichever node has it,
 * even after the node that ran the job is gone.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints the whole output of one job (RUN:JOB), or of each failed job of a run (RUN).",
                "Exit status: 0 when printed, 2 for no such run or job."})
public final class LogsCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN[:JOB]", description = "A run id, or a job id: the run id, ':' and the job's index.")
    String target;

    @Option(names = "--stderr", description = "Print stderr instead of stdout (for one job).")
    boolean stderr;

    @Option(names = {"-f", "--follow"},
            description = "Keep printing while the job runs, until it ends; wait for it if it has not started.")
    boolean follow;

    @Option(names = "--all", description = "For a run: every job, not only the failed ones.")
    boolean all;

    @Override
    int execute(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        int colon = target.lastIndexOf(':');
        if (colon >= 0) {
            String runId = target.substring(0, colon);
            int job = jobIndex(target.substring(colon + 1));
            while (true) {
                try {
                    copy(cluster.remote().output(runId, job, stderr ? "stderr" : "stdout", follow), out);
                    return ExitCodes.PASSED;
                } catch (ApiException e) {
                    if (!follow || e.status() != 404 || !waitsToStart(runId, job)) {
                        throw e;
                    }
                    Thread.sleep(500); // followed before it started: wait for it
                }
            }
        }
        if (follow || stderr) {
            throw new UsageException("--follow and --stderr are for one job: name it as " + target + ":JOB");
        }
        List<JsonNode> jobs = cluster.remote().jobs(target, all ? null : "failed");
        for (JsonNode job : jobs) {
            out.printf("== job %d: %s ==%n", job.get("job").asInt(), job.get("state").asText());
            if (job.get("attempts").asInt() > 0) {
                for (String stream : List.of("stdout", "stderr")) {
                    copy(cluster.remote().output(target, job.get("job").asInt(), stream, false), out);
                }
            }
        }
        if (jobs.isEmpty()) {
            out.println(all ? "the run has no jobs" : "no job of " + target + " failed");
        }
        return ExitCodes.PASSED;
    }

    /** Whether the job has not ended yet, so that its output is still to come. */
    private boolean waitsToStart(String runId, int job) {
        return cluster.remote().job(runId, job).map(view -> view.get("state").asText())
                .filter(state -> state.equals("pending") || state.equals("running")).isPresent();
    }

    private static int jobIndex(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException("a job id is RUN:JOB with JOB a number, got '" + text + "'");
        }
    }

    private static void copy(InputStream output, PrintWriter out) throws IOException {
        try (Reader in = new InputStreamReader(output, StandardCharsets.UTF_8)) {
            char[] buffer = new char[8192];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
                out.flush();
            }
        }
    }
}
