package io.flotilla.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.suite.SuiteCommands;
import io.flotilla.protocol.suite.TestVerdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code flotilla test} reports once a suite ran: the failure summary and the flaky report on the terminal, a
 * Surefire-style JUnit XML file whose passing-after-failing tests carry {@code flakyFailure} elements (as Surefire's
 * own reruns do), and one JSON line per test attempt.
 */
final class SuiteReports {
    private static final int OUTPUT_LINES_SHOWN = 30;
    private static final int FAILURES_SHOWN = 20;
    /** The first lines of a failure's stack trace shown in the terminal: the exception and the frames nearest it. */
    private static final int TRACE_SHOWN = 8;

    private SuiteReports() {
    }

    /** The totals, then each bad or flaky test with the end of its output. */
    static void summary(SuiteResults results, String runId, PrintWriter out) {
        List<SuiteResults.Final> notable = results.finals.stream().filter(f -> f.last().verdict().bad() || f.flaky())
                .toList();
        for (SuiteResults.Final test : notable.subList(0, Math.min(FAILURES_SHOWN, notable.size()))) {
            SuiteResults.Attempt shown = test.flaky() ? test.failedBefore().get(0) : test.last();
            out.println(test.verdict() + " " + test.test() + run(test) + ": " + shown.verdict().message()
                    + (test.flaky() ? " on attempt " + shown.attempt() + ", passed on attempt "
                    + test.last().attempt() : ""));
            shown.verdict().trace().lines().limit(TRACE_SHOWN).forEach(line -> out.println("    " + line));
            ownOutput(shown).forEach(line -> out.println("    " + line));
        }
        if (notable.size() > FAILURES_SHOWN) {
            out.println("... and " + (notable.size() - FAILURES_SHOWN) + " more");
        }
        out.printf("suite run %s: %d tests, %d passed, %d failed, %d errors, %d skipped, %d flaky%s%n", runId,
                results.finals.size(), results.count("PASSED"), results.count("FAILED"), results.count("ERROR"),
                results.count("SKIPPED") + results.disabled.size(), results.count("FLAKY"),
                results.disabled.isEmpty() ? "" : " (" + results.disabled.size() + " disabled)");
        out.flush();
    }

    /** Per test that ran more than once or failed: runs, failures, the rate with its 95% interval, first failure. */
    static void flaky(SuiteResults results, PrintWriter out) {
        Map<String, List<SuiteResults.Attempt>> byTest = new LinkedHashMap<>();
        results.attempts.forEach(a -> byTest.computeIfAbsent(a.test(), t -> new ArrayList<>()).add(a));
        byTest.forEach((test, attempts) -> {
            List<SuiteResults.Attempt> bad = attempts.stream().filter(a -> a.verdict().bad()).toList();
            long ran = attempts.stream().filter(a -> a.verdict().outcome() != TestVerdict.Outcome.SKIPPED).count();
            WilsonInterval interval = WilsonInterval.of(bad.size(), ran);
            out.printf("flaky report %s: %d runs, %d failures, failure rate %.3f%% (95%% interval %.3f%% to %.3f%%)%n",
                    test, ran, bad.size(), ran == 0 ? 0.0 : 100.0 * bad.size() / ran, 100 * interval.low(),
                    100 * interval.high());
            if (!bad.isEmpty()) {
                SuiteResults.Attempt first = bad.stream().min((a, b) -> a.job() != b.job()
                        ? Integer.compare(a.job(), b.job()) : Integer.compare(a.attempt(), b.attempt())).get();
                out.println("  first failure: job " + first.job() + " attempt " + first.attempt() + ", FLOTILLA_SEED="
                        + Long.toUnsignedString(first.seed()) + ": " + first.verdict().message());
                ownOutput(first).forEach(line -> out.println("    " + line));
            }
        });
        out.flush();
    }

    static void junitXml(Path file, String suiteName, SuiteResults results) throws IOException {
        StringBuilder cases = new StringBuilder();
        double seconds = 0;
        int failures = 0;
        int errors = 0;
        int skipped = 0;
        boolean repeated = results.finals.stream().anyMatch(f -> f.run() > 0);
        for (SuiteResults.Final test : results.finals) {
            TestVerdict verdict = test.last().verdict();
            seconds += verdict.millis() / 1000.0;
            String name = test.test() + (repeated ? " [run " + test.run() + "]" : "");
            cases.append("  <testcase name=\"").append(JUnitXmlReport.escape(name)).append("\" classname=\"")
                    .append(JUnitXmlReport.escape(classOf(test.test()))).append("\" time=\"")
                    .append(String.format(Locale.ROOT, "%.3f", verdict.millis() / 1000.0)).append("\">\n");
            switch (verdict.outcome()) {
                case FAILED -> {
                    failures++;
                    element(cases, "failure", verdict, test.last().output());
                    streams(cases, verdict);
                }
                case ERROR -> {
                    errors++;
                    element(cases, "error", verdict, test.last().output());
                    streams(cases, verdict);
                }
                case SKIPPED -> {
                    skipped++;
                    cases.append("    <skipped message=\"").append(JUnitXmlReport.escape(verdict.message()))
                            .append("\"/>\n");
                }
                case PASSED -> test.failedBefore().forEach(before -> element(cases, "flakyFailure",
                        before.verdict(), before.output()));
            }
            cases.append("  </testcase>\n");
        }
        for (String test : results.disabled) {
            skipped++;
            cases.append("  <testcase name=\"").append(JUnitXmlReport.escape(test)).append("\" classname=\"")
                    .append(JUnitXmlReport.escape(classOf(test))).append("\" time=\"0.000\">\n")
                    .append("    <skipped message=\"disabled\"/>\n  </testcase>\n");
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            out.write("<testsuite name=\"" + JUnitXmlReport.escape(suiteName) + "\" tests=\""
                    + (results.finals.size() + results.disabled.size()) + "\" failures=\"" + failures
                    + "\" errors=\"" + errors + "\" skipped=\"" + skipped + "\" time=\""
                    + String.format(Locale.ROOT, "%.3f", seconds) + "\">\n");
            out.write(cases.toString());
            out.write("</testsuite>\n");
        }
    }

    /** One JSON object per line and test attempt. */
    static void json(Path file, SuiteResults results) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (SuiteResults.Attempt attempt : results.attempts) {
                ObjectNode line = FlotillaClient.JSON.createObjectNode().put("test", attempt.test())
                        .put("run", attempt.run()).put("job", attempt.job()).put("attempt", attempt.attempt())
                        .put("verdict", attempt.verdict().outcome().name().toLowerCase(Locale.ROOT))
                        .put("millis", attempt.verdict().millis()).put("message", attempt.verdict().message())
                        .put("type", attempt.verdict().type()).put("trace", attempt.verdict().trace())
                        .put("stdout", attempt.verdict().stdout()).put("stderr", attempt.verdict().stderr())
                        .put("seed", Long.toUnsignedString(attempt.seed()));
                out.write(line.toString());
                out.write('\n');
            }
            for (String test : results.disabled) {
                out.write(FlotillaClient.JSON.createObjectNode().put("test", test).put("verdict", "skipped")
                        .put("message", "disabled").toString());
                out.write('\n');
            }
        }
    }

    /** As Surefire writes it: the exception's message and type, and its stack trace as text (else the output's end). */
    private static void element(StringBuilder cases, String name, TestVerdict verdict, String output) {
        cases.append("    <").append(name).append(" message=\"").append(JUnitXmlReport.escape(verdict.message()));
        if (!verdict.type().isEmpty()) {
            cases.append("\" type=\"").append(JUnitXmlReport.escape(verdict.type()));
        }
        String text = verdict.trace().isEmpty() ? String.join("\n", tail(output)) : verdict.trace();
        cases.append("\">").append(JUnitXmlReport.escape(text)).append("</").append(name).append(">\n");
    }

    /** A failed test's own stdout and stderr, as Surefire writes them beside its failure. */
    private static void streams(StringBuilder cases, TestVerdict verdict) {
        if (!verdict.stdout().isEmpty()) {
            cases.append("    <system-out>").append(JUnitXmlReport.escape(verdict.stdout()))
                    .append("</system-out>\n");
        }
        if (!verdict.stderr().isEmpty()) {
            cases.append("    <system-err>").append(JUnitXmlReport.escape(verdict.stderr()))
                    .append("</system-err>\n");
        }
    }

    /**
     * The end of what an attempt printed: the test's own output when its runner reported its failure (a job of many
     * tests prints theirs too), else its job's.
     */
    private static List<String> ownOutput(SuiteResults.Attempt attempt) {
        TestVerdict verdict = attempt.verdict();
        return verdict.trace().isEmpty() ? tail(attempt.output())
                : lastLines((verdict.stdout() + verdict.stderr()).lines().toList());
    }

    /** pytest's file, JUnit's class, GoogleTest's suite, as JUnit XML's class: the name before its last part. */
    private static String classOf(String test) {
        int pytest = test.lastIndexOf("::");
        if (pytest > 0) {
            return test.substring(0, pytest).replace("::", ".");
        }
        if (test.indexOf('#') > 0) {
            return test.substring(0, test.indexOf('#'));
        }
        int dot = test.lastIndexOf('.');
        return dot > 0 && !test.contains("/") ? test.substring(0, dot) : "flotilla";
    }

    private static String run(SuiteResults.Final test) {
        return test.run() > 0 ? " (run " + test.run() + ")" : "";
    }

    private static List<String> tail(String output) {
        return lastLines(output.lines().filter(l -> !l.startsWith(SuiteCommands.VERDICT_PREFIX)
                && !l.startsWith(SuiteCommands.FAILURE_PREFIX) && !l.startsWith(SuiteCommands.OUTPUT_PREFIX)).toList());
    }

    private static List<String> lastLines(List<String> lines) {
        return lines.subList(Math.max(0, lines.size() - OUTPUT_LINES_SHOWN), lines.size());
    }
}
