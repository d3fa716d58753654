package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * A run as a Surefire-style JUnit XML report, which Jenkins, GitLab and most CI systems render: one testcase per
 * job; a job that exited with a non-zero status is a {@code failure}, one that did not get to exit (timed out,
 * killed by a signal, never started) an {@code error}, a cancelled one {@code skipped}. The end of each job's
 * output goes in {@code system-out}.
 */
final class JUnitXmlReport {
    private JUnitXmlReport() {
    }

    /**
     * @param jobs the run's jobs as the API lists them
     * @param nameOf a readable name for job N, like its command line
     */
    static void write(Path file, JsonNode run, List<JsonNode> jobs, IntFunction<String> nameOf) throws IOException {
        int failures = 0;
        int errors = 0;
        int skipped = 0;
        double seconds = 0;
        StringBuilder cases = new StringBuilder();
        for (JsonNode job : jobs) {
            JsonNode result = job.path("result");
            String state = job.path("state").asText();
            String outcome = result.path("outcome").asText("");
            double time = result.path("wallMillis").asLong() / 1000.0;
            seconds += time;
            cases.append("  <testcase name=\"").append(escape(nameOf.apply(job.get("job").asInt())))
                    .append("\" classname=\"flotilla.").append(escape(run.get("runId").asText()))
                    .append("\" time=\"").append(String.format(Locale.ROOT, "%.3f", time)).append("\">\n");
            String message = escape(RunFollower.describe(result));
            if (state.equals("cancelled")) {
                skipped++;
                cases.append("    <skipped message=\"cancelled\"/>\n");
            } else if (state.equals("failed") && outcome.equals("exited")) {
                failures++;
                cases.append("    <failure message=\"").append(message).append("\" type=\"exit status ")
                        .append(result.path("exitCode").asInt()).append("\"/>\n");
            } else if (state.equals("failed")) {
                errors++;
                cases.append("    <error message=\"").append(message).append("\" type=\"").append(escape(outcome))
                        .append("\"/>\n");
            }
            String output = job.path("output").asText("");
            if (!output.isEmpty()) {
                cases.append("    <system-out>").append(escape(output)).append("</system-out>\n");
            }
            cases.append("  </testcase>\n");
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            out.write("<testsuite name=\"flotilla." + escape(run.get("runId").asText()) + "\" tests=\"" + jobs.size()
                    + "\" failures=\"" + failures + "\" errors=\"" + errors + "\" skipped=\"" + skipped
                    + "\" time=\"" + String.format(Locale.ROOT, "%.3f", seconds) + "\">\n");
            out.write(cases.toString());
            out.write("</testsuite>\n");
        }
    }

    /** XML text and attribute escaping, dropping the control characters XML 1.0 cannot carry. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
