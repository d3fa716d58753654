package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flotilla repeat}: hunting a flaky test by running it many times, each in a fresh container. */
@Command(name = "repeat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs PROGRAM N times, each in a fresh container, and reports how often it failed, with a 95% "
                + "interval, and the first failure's output. Exit status: 0 no failure, 1 a failure, 2 usage, "
                + "3 unreachable.")
public final class RepeatCommand extends JobCommand {
    @Option(names = "-n", paramLabel = "N", required = true, description = "How many times.")
    int count;

    @Option(names = "--stop-after", paramLabel = "K", defaultValue = "0",
            description = "Stop after K failures (default: never).")
    int stopAfter;

    @Option(names = "--seed", paramLabel = "S", description = "The run's seed; each run gets FLOTILLA_SEED from it.")
    Long seed;

    @Override
    int run(FlotillaClient client, ObjectNode job, PrintWriter out, PrintWriter err) throws Exception {
        String runId = client.submit(repeatRun(job, count, stopAfter, seed), null);
        JsonNode end = new RunFollower(client, err, terminal()).await(runId);
        reports.write(client, end, index -> "run " + index + ": " + String.join(" ", command));
        return report(client, end, out).isEmpty() ? ExitCodes.PASSED : ExitCodes.FAILED;
    }

    /** A run of {@code count} copies of {@code job}, each with its own seed, that stops after K failures (0: never). */
    static ObjectNode repeatRun(ObjectNode job, int count, int stopAfter, Long seed) {
        ObjectNode repeat = FlotillaClient.JSON.createObjectNode().put("count", count)
                .put("stopAfterFailures", stopAfter);
        if (seed != null) {
            repeat.put("seed", seed);
        }
        repeat.set("job", job);
        ObjectNode run = FlotillaClient.JSON.createObjectNode();
        run.set("repeat", repeat);
        return run;
    }

    /**
     * Prints how often an ended repeat run failed, with a 95% interval, and its first failure; returns the run number
     * of that failure, if there was one.
     */
    static OptionalInt report(FlotillaClient client, JsonNode end, PrintWriter out) {
        long failures = end.get("failed").asLong();
        long runs = end.get("passed").asLong() + failures;
        WilsonInterval interval = WilsonInterval.of(failures, runs);
        out.printf("runs: %d, failures: %d, failure rate: %.4f%% (95%% interval %.4f%% to %.4f%%)%s%n", runs,
                failures, runs == 0 ? 0.0 : 100.0 * failures / runs, 100 * interval.low(), 100 * interval.high(),
                end.get("cancelled").asInt() > 0 ? ", stopped after " + failures + " failure"
                        + (failures == 1 ? "" : "s") : "");
        if (failures == 0) {
            out.flush();
            return OptionalInt.empty();
        }
        JsonNode first = client.jobs(end.get("runId").asText(), "failed").get(0);
        out.println("first failure: run " + first.get("job").asInt() + ", "
                + RunFollower.describe(first.path("result")));
        first.path("output").asText("").lines().forEach(line -> out.println("    " + line));
        out.flush();
        return OptionalInt.of(first.get("job").asInt());
    }
}
