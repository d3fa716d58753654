package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla submit}: many jobs, read from a file or stdin, as one run. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submits the jobs in FILE (or stdin for -) as one run and follows it: a JSON list of jobs, or "
                + "one job per line (NDJSON), each as the REST API takes it. Exit status: 0 all passed, 1 any "
                + "failed, 2 usage, 3 unreachable.")
public final class SubmitCommand extends ClientCommand {
    @Parameters(paramLabel = "FILE|-", description = "The jobs.")
    String file;

    @Option(names = "--retries", paramLabel = "N", description = "Run a failed job again up to N times.")
    Integer retries;

    @Option(names = "--max-parallel", paramLabel = "N", description = "Run at most N of the jobs at once.")
    Integer maxParallel;

    @Option(names = "--priority", paramLabel = "N", description = "Higher runs first, -1000 to 1000.")
    Integer priority;

    @Mixin
    ReportOptions reports;

    @Override
    int execute(PrintWriter out, PrintWriter err) throws Exception {
        ArrayNode jobs = readJobs();
        try (ClusterOptions.Connection connection = cluster.connect(err)) {
            FlotillaClient client = connection.client();
            ObjectNode run = FlotillaClient.JSON.createObjectNode();
            run.set("jobs", jobs);
            if (retries != null) {
                run.put("retries", retries);
            }
            if (maxParallel != null) {
                run.put("maxParallel", maxParallel);
            }
            if (priority != null) {
                run.put("priority", priority);
            }
            String runId = client.submit(run, null);
            out.println(runId);
            out.flush();
            RunFollower follower = new RunFollower(client, err, terminal());
            JsonNode end = follower.await(runId);
            reports.write(client, end, index -> commandLine(jobs.get(index)));
            return follower.summarize(end);
        }
    }

    private static String commandLine(JsonNode job) {
        StringBuilder line = new StringBuilder();
        job.path("command").forEach(arg -> line.append(line.length() == 0 ? "" : " ").append(arg.asText()));
        return line.toString();
    }

    private ArrayNode readJobs() throws IOException {
        String text;
        if (file.equals("-")) {
            text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } else {
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new UsageException("no such file: " + file);
            }
            try (InputStream in = Files.newInputStream(path)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        String trimmed = text.strip();
        try {
            if (trimmed.startsWith("[")) {
                JsonNode list = FlotillaClient.JSON.readTree(trimmed);
                if (list instanceof ArrayNode array) {
                    return array;
                }
            }
            ArrayNode jobs = FlotillaClient.JSON.createArrayNode();
            int line = 0;
            for (String row : trimmed.split("\n")) {
                line++;
                if (!row.isBlank()) {
                    JsonNode job = FlotillaClient.JSON.readTree(row);
                    if (!job.isObject()) {
                        throw new UsageException(file + " line " + line + ": a job is a JSON object");
                    }
                    jobs.add(job);
                }
            }
            if (jobs.isEmpty()) {
                throw new UsageException(file + " holds no jobs");
            }
            return jobs;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UsageException(file + " is not a JSON list of jobs nor one job per line: "
                    + e.getOriginalMessage());
        }
    }
}
