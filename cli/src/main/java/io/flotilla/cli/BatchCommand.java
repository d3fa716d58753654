package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flotilla batch}: a Monte Carlo array, N copies of one command, results as NDJSON. */
@Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs N copies of PROGRAM, each with FLOTILLA_TASK_INDEX and FLOTILLA_SEED set, and writes one "
                + "JSON line per copy (its index, state, exit status and output) to stdout or FILE. Exit status: "
                + "0 all passed, 1 any failed, 2 usage, 3 unreachable.")
public final class BatchCommand extends JobCommand {
    @Option(names = "-n", paramLabel = "N", required = true, description = "How many copies.")
    int count;

    @Option(names = "--max-parallel", paramLabel = "P", defaultValue = "0",
            description = "Run at most P copies at once (default: as many as there are slots).")
    int maxParallel;

    @Option(names = "--seed", paramLabel = "S", description = "The batch's seed (default: random).")
    Long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the results here, not to stdout.")
    Path output;

    @Override
    int run(FlotillaClient client, ObjectNode job, PrintWriter out, PrintWriter err) throws Exception {
        ObjectNode batch = FlotillaClient.JSON.createObjectNode().put("count", count)
                .put("maxParallel", maxParallel);
        if (seed != null) {
            batch.put("seed", seed);
        }
        batch.set("template", job);
        ObjectNode run = FlotillaClient.JSON.createObjectNode();
        run.set("batch", batch);
        String runId = client.submit(run, null);
        RunFollower follower = new RunFollower(client, err, terminal());
        JsonNode end = follower.await(runId);
        reports.write(client, end, index -> "copy " + index);
        try (InputStream results = client.results(runId)) {
            if (output == null) {
                out.flush();
                results.transferTo(System.out);
                System.out.flush();
            } else {
                try (OutputStream file = Files.newOutputStream(output)) {
                    results.transferTo(file);
                }
            }
        }
        return follower.summarize(end);
    }
}
