package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.IntFunction;
import picocli.CommandLine.Option;

/** The reports a command that follows a run can leave behind for CI. */
public final class ReportOptions {
    @Option(names = "--junit-xml", paramLabel = "FILE",
            description = "Write a JUnit XML report of the run (one testcase per job) to FILE.")
    Path junitXml;

    /** Writes the reports asked for, once the run has ended. */
    void write(FlotillaClient client, JsonNode run, IntFunction<String> nameOf) throws IOException {
        if (junitXml != null) {
            JUnitXmlReport.write(junitXml, run, client.jobs(run.get("runId").asText(), null), nameOf);
        }
    }
}
