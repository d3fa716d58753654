package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.Seeds;
import io.flotilla.protocol.suite.SuiteSpec;
import io.flotilla.protocol.suite.TestVerdict;
import io.flotilla.protocol.suite.TestVerdicts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An ended suite run as its tests' verdicts: every attempt of every test (a retried job's earlier attempts too), and
 * per test and run of it the final verdict, FLAKY when it passed after failing. Built from the jobs the REST API
 * lists; the whole output of an earlier attempt is fetched only for a job of several pytest tests, whose verdict
 * lines it holds.
 */
final class SuiteResults {
    /** One attempt of one test. {@code run} counts the test's runs from 0 (with {@code --repeat}). */
    record Attempt(String test, int run, int job, int attempt, long seed, TestVerdict verdict, String output) {
    }

    /** A test's final verdict in one run of it; FLAKY when it passed after a failed attempt. */
    record Final(String test, int run, Attempt last, List<Attempt> failedBefore) {
        boolean flaky() {
            return last.verdict().outcome() == TestVerdict.Outcome.PASSED && !failedBefore.isEmpty();
        }

        String verdict() {
            return flaky() ? "FLAKY" : last.verdict().outcome().name();
        }
    }

    final List<Attempt> attempts = new ArrayList<>();
    final List<Final> finals = new ArrayList<>();
    final List<String> disabled = new ArrayList<>();

    static SuiteResults of(FlotillaClient client, String runId, SuiteSpec.Kind kind, List<JsonNode> jobs) {
        SuiteResults results = new SuiteResults();
        long runSeed = Seeds.ofRunId(runId);
        Map<String, Integer> runsOf = new LinkedHashMap<>();
        for (JsonNode job : jobs) {
            int index = job.get("job").asInt();
            List<String> tests = new ArrayList<>();
            job.path("tests").forEach(test -> tests.add(test.asText()));
            long seed = Seeds.of(runSeed, index);
            Map<String, List<Attempt>> failedBefore = new LinkedHashMap<>();
            for (JsonNode earlier : job.path("earlierAttempts")) {
                int attempt = earlier.get("attempt").asInt();
                String output = kind.runsManyTestsPerProcess()
                        ? client.attemptOutput(runId, index, attempt, "stderr") : "";
                for (TestVerdict verdict : TestVerdicts.of(kind, tests, result(earlier.get("result")), output)) {
                    Attempt record = new Attempt(verdict.test(), runsOf.getOrDefault(verdict.test(), 0), index,
                            attempt, seed, verdict, output);
                    results.attempts.add(record);
                    if (verdict.bad()) {
                        failedBefore.computeIfAbsent(verdict.test(), t -> new ArrayList<>()).add(record);
                    }
                }
            }
            List<TestVerdict> last = job.hasNonNull("result")
                    ? TestVerdicts.of(kind, tests, result(job.get("result")), job.path("output").asText(""))
                    : tests.stream().map(test -> new TestVerdict(test, TestVerdict.Outcome.SKIPPED, 0,
                            "cancelled")).toList();
            for (TestVerdict verdict : last) {
                int run = runsOf.merge(verdict.test(), 1, Integer::sum) - 1;
                Attempt record = new Attempt(verdict.test(), run, index, job.get("attempts").asInt(), seed, verdict,
                        job.path("output").asText(""));
                results.attempts.add(record);
                results.finals.add(new Final(verdict.test(), run, record,
                        failedBefore.getOrDefault(verdict.test(), List.of())));
            }
        }
        return results;
    }

    /** A result as the REST API shows it, read back into the record the verdicts are judged from. */
    static JobResult result(JsonNode node) {
        JobResult.Outcome outcome = JobResult.Outcome.valueOf(node.path("outcome").asText().toUpperCase(Locale.ROOT));
        return new JobResult(outcome, node.path("exitCode").asInt(), node.path("signal").asInt(),
                node.path("message").asText(""), Duration.ofMillis(node.path("wallMillis").asLong()),
                Duration.ofMillis(node.path("cpuMillis").asLong()), node.path("maxRssBytes").asLong(),
                new JobResult.OutputSummary(node.path("stdoutBytes").asLong(), node.path("stdoutBytes").asLong()),
                new JobResult.OutputSummary(node.path("stderrBytes").asLong(), node.path("stderrBytes").asLong()),
                false);
    }

    long count(String verdict) {
        return finals.stream().filter(f -> f.verdict().equals(verdict)).count();
    }

    boolean anyBad() {
        return finals.stream().anyMatch(f -> f.last().verdict().bad());
    }

    boolean anyFlaky() {
        return finals.stream().anyMatch(Final::flaky);
    }
}
