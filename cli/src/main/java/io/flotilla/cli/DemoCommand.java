package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla demo}: the product at work on any machine, with no cluster needed. It builds a small project of
 * C and shell tests (one with a real bug, one flaky), runs each test in its own container with live progress and a
 * failure summary, then hunts the flaky test with a repeat run that stops at its first failure.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Builds a few small C and shell tests, runs each in its own container, then hunts the flaky "
                + "one by running it up to N times.",
                "Exit status: 0 when the demo showed all it should, 1 when it did not, 2 usage, 3 unreachable."})
public final class DemoCommand extends ClientCommand {
    @Option(names = "--hunt", paramLabel = "N", defaultValue = "5000",
            description = "How many runs of the flaky test to allow (default: ${DEFAULT-VALUE}).")
    int hunt;

    @Override
    int execute(PrintWriter out, PrintWriter err) throws Exception {
        if (hunt < 1) {
            throw new UsageException("--hunt wants at least 1 run, got " + hunt);
        }
        Path project = Files.createTempDirectory("flotilla-demo-");
        try (ClusterOptions.Connection connection = cluster.connect(err)) {
            DemoProject.build(project);
            FlotillaClient client = connection.client();
            String layer = new LayerUploader(connection, err).packed(project);
            List<List<String>> tests = DemoProject.commands();

            out.printf("== 1. %d tests, each in its own container ==%n", tests.size());
            out.flush();
            ObjectNode suite = FlotillaClient.JSON.createObjectNode();
            ArrayNode jobs = suite.putArray("jobs");
            tests.forEach(test -> jobs.add(job(test, layer)));
            String suiteId = client.submit(suite, null);
            RunFollower follower = new RunFollower(client, err, terminal());
            JsonNode suiteEnd = follower.await(suiteId);
            follower.summarize(suiteEnd);

            out.printf("== 2. hunting %s: up to %d runs, each in a fresh container, until it fails ==%n",
                    DemoProject.FLAKY, hunt);
            out.flush();
            String huntId = client.submit(RepeatCommand.repeatRun(job(List.of(DemoProject.MOUNT + "/bin/"
                    + DemoProject.FLAKY), layer), hunt, 1, null), null);
            JsonNode huntEnd = new RunFollower(client, err, terminal()).await(huntId);
            OptionalInt caught = RepeatCommand.report(client, huntEnd, out);

            boolean showed = suiteEnd.get("failed").asInt() >= 1 && suiteEnd.get("passed").asInt() >= tests.size() - 2
                    && caught.isPresent();
            out.printf("demo %s: %d tests ran in %d containers (%d passed, %d failed); the flaky test %s%n",
                    showed ? "done" : "incomplete", tests.size(), tests.size(), suiteEnd.get("passed").asInt(),
                    suiteEnd.get("failed").asInt(), caught.isPresent() ? "was caught failing in run "
                            + caught.getAsInt() + " of the hunt" : "did not fail in " + hunt + " runs");
            if (connection.local() == null) {
                out.printf("each test's whole output: flotilla logs %s:JOB%n", suiteId);
            }
            return showed ? ExitCodes.PASSED : ExitCodes.FAILED;
        } finally {
            new ProcessBuilder("rm", "-rf", project.toString()).start().waitFor();
        }
    }

    private static ObjectNode job(List<String> command, String layer) {
        ObjectNode job = FlotillaClient.JSON.createObjectNode();
        command.forEach(job.putArray("command")::add);
        job.putArray("layers").addObject().put("digest", layer).put("dest", DemoProject.MOUNT);
        job.put("timeout", "60s");
        return job;
    }
}
