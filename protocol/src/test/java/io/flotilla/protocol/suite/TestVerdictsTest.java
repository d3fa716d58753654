package io.flotilla.protocol.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a job's result and output become each of its tests' verdicts. */
class TestVerdictsTest {
    private static JobResult result(JobResult.Outcome outcome, int exitCode, int signal) {
        return new JobResult(outcome, exitCode, signal, "", Duration.ofMillis(40), Duration.ZERO, 0,
                OutputSummary.EMPTY, OutputSummary.EMPTY, false);
    }

    private static TestVerdict.Outcome single(SuiteSpec.Kind kind, JobResult result, String output) {
        return TestVerdicts.of(kind, List.of("t"), result, output).get(0).outcome();
    }

    @Test
    void aSingleTestIsJudgedByHowItsJobEnded() {
        assertEquals(TestVerdict.Outcome.PASSED, single(SuiteSpec.Kind.EXEC, result(JobResult.Outcome.EXITED, 0, 0), ""));
        assertEquals(TestVerdict.Outcome.FAILED, single(SuiteSpec.Kind.EXEC, result(JobResult.Outcome.EXITED, 1, 0), ""));
        assertEquals(TestVerdict.Outcome.SKIPPED, single(SuiteSpec.Kind.CTEST, result(JobResult.Outcome.EXITED, 77, 0),
                ""));
        assertEquals(TestVerdict.Outcome.FAILED, single(SuiteSpec.Kind.GTEST, result(JobResult.Outcome.EXITED, 77, 0),
                ""), "77 is no skip for GoogleTest, which says so in its output");
        assertEquals(TestVerdict.Outcome.SKIPPED, single(SuiteSpec.Kind.GTEST, result(JobResult.Outcome.EXITED, 0, 0),
                "[ RUN      ] A.B\n[  SKIPPED ] A.B (0 ms)\n"));
        assertEquals(TestVerdict.Outcome.ERROR, single(SuiteSpec.Kind.COMMANDS,
                result(JobResult.Outcome.TIMED_OUT, 0, 0), ""));
        List<TestVerdict> crashed = TestVerdicts.of(SuiteSpec.Kind.CTEST, List.of("t"),
                result(JobResult.Outcome.SIGNALED, 0, 11), "");
        assertEquals(new TestVerdict("t", TestVerdict.Outcome.ERROR, 40, "killed by signal 11"), crashed.get(0));
        assertEquals(TestVerdict.Outcome.SKIPPED, single(SuiteSpec.Kind.EXEC,
                result(JobResult.Outcome.CANCELLED, 0, 0), ""));
    }

    @Test
    void pytestTestsOfOneProcessAreJudgedByTheirVerdictLinesAndTheOneThatEndedItByTheJob() {
        String output = "noise\n##flotilla-test passed 12 f.py::a\n##flotilla-test failed 3 f.py::b[x y]\n"
                + "##flotilla-test skipped 0 f.py::c\n";
        List<TestVerdict> verdicts = TestVerdicts.of(SuiteSpec.Kind.PYTEST,
                List.of("f.py::a", "f.py::b[x y]", "f.py::c", "f.py::d", "f.py::e"),
                result(JobResult.Outcome.SIGNALED, 0, 11), output);
        assertEquals(List.of(new TestVerdict("f.py::a", TestVerdict.Outcome.PASSED, 12, ""),
                new TestVerdict("f.py::b[x y]", TestVerdict.Outcome.FAILED, 3, "failed"),
                new TestVerdict("f.py::c", TestVerdict.Outcome.SKIPPED, 0, ""),
                new TestVerdict("f.py::d", TestVerdict.Outcome.ERROR, 40, "killed by signal 11"),
                new TestVerdict("f.py::e", TestVerdict.Outcome.ERROR, 0, "not run: f.py::d before it in the same "
                        + "process ended it (killed by signal 11)")), verdicts);
    }

    @Test
    void aFailedTestGetsTheExceptionAndTheOutputItsRunnerReportedOfIt() {
        String output = line(SuiteCommands.FAILURE_PREFIX, "C#b()\0java.lang.AssertionError\0no\0trace")
                + line(SuiteCommands.OUTPUT_PREFIX, "C#b()\0printed\n\0complained\n")
                + "##flotilla-test failed 3 C#b()\n"
                + line(SuiteCommands.OUTPUT_PREFIX, "C#a()\0not its own\0")
                + "##flotilla-test passed 1 C#a()\n";
        List<TestVerdict> verdicts = TestVerdicts.of(SuiteSpec.Kind.JUNIT, List.of("C#b()", "C#a()"),
                result(JobResult.Outcome.EXITED, 1, 0), output);
        assertEquals(List.of(new TestVerdict("C#b()", TestVerdict.Outcome.FAILED, 3, "no", "java.lang.AssertionError",
                "trace", "printed\n", "complained\n"), new TestVerdict("C#a()", TestVerdict.Outcome.PASSED, 1, "")),
                verdicts);
    }

    private static String line(String prefix, String record) {
        return prefix + Base64.getEncoder().encodeToString(record.getBytes(StandardCharsets.UTF_8)) + "\n";
    }
}
