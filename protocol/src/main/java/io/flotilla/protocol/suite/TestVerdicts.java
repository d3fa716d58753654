package io.flotilla.protocol.suite;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.suite.TestVerdict.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one attempt of a suite's job into a verdict for each of its tests. A job of one test is judged by how it
 * ended, except that GoogleTest's {@code [  SKIPPED ]} line and exit status 77 of the other kinds mean skipped. A
 * job that ran several pytest tests in one interpreter is judged by the verdict lines its runner wrote; a test with
 * none is the one that ended the job (it timed out or crashed), or did not get to run after it. JUnit's launcher writes
 * the same lines. A runner's failure line before a failed test's verdict line gives that verdict the exception's
 * message, type and stack trace, and its output line what the test printed.
 */
public final class TestVerdicts {
    private static final String GTEST_SKIPPED = "[  SKIPPED ] ";
    private static final String[] NOTHING_PRINTED = {"", "", ""};
    private static final String NOT_FOUND = "not found: pytest, given the suite's arguments, collected no test of "
            + "this node id";

    private TestVerdicts() {
    }

    /**
     * @param tests the job's tests, in the order it runs them
     * @param output what the job printed, stdout and stderr; for a job of several tests it must hold every verdict
     *               line, so the end of its output may not be enough
     */
    public static List<TestVerdict> of(SuiteSpec.Kind kind, List<String> tests, JobResult result, String output) {
        if (kind.runsManyTestsPerProcess()) {
            return fromVerdictLines(tests, result, output);
        }
        if (tests.size() != 1) {
            throw new IllegalArgumentException("a " + kind + " job runs one test, not " + tests.size());
        }
        return List.of(single(kind, tests.get(0), result, output));
    }

    private static TestVerdict single(SuiteSpec.Kind kind, String test, JobResult result, String output) {
        long millis = result.wallTime().toMillis();
        if (result.succeeded()) {
            boolean skipped = kind == SuiteSpec.Kind.GTEST && output.lines().anyMatch(l -> l.startsWith(GTEST_SKIPPED));
            return new TestVerdict(test, skipped ? Outcome.SKIPPED : Outcome.PASSED, millis, "");
        }
        if (isSkip(kind, result)) {
            return new TestVerdict(test, Outcome.SKIPPED, millis, "skipped (exit status 77)");
        }
        if (result.outcome() == JobResult.Outcome.EXITED) {
            return new TestVerdict(test, Outcome.FAILED, millis, "exit status " + result.exitCode());
        }
        return new TestVerdict(test, result.outcome() == JobResult.Outcome.CANCELLED ? Outcome.SKIPPED
                : Outcome.ERROR, millis, describe(result));
    }

    /**
     * Whether a job of one test ended by saying it skipped: exit status 77 for ctest, plain executables and commands.
     * The scheduler counts such a job as passed, and never runs it again.
     */
    public static boolean isSkip(SuiteSpec.Kind kind, JobResult result) {
        return (kind == SuiteSpec.Kind.CTEST || kind == SuiteSpec.Kind.EXEC || kind == SuiteSpec.Kind.COMMANDS)
                && result.outcome() == JobResult.Outcome.EXITED && result.exitCode() == SuiteCommands.SKIP_EXIT_CODE;
    }

    private static List<TestVerdict> fromVerdictLines(List<String> tests, JobResult result, String output) {
        Map<String, TestVerdict> reported = new HashMap<>();
        // a test's failure and output lines come before its verdict line
        Map<String, String[]> failures = new HashMap<>();
        Map<String, String[]> printed = new HashMap<>();
        output.lines().forEach(line -> {
            if (line.startsWith(SuiteCommands.FAILURE_PREFIX)) {
                decode(line.substring(SuiteCommands.FAILURE_PREFIX.length()), 4)
                        .ifPresent(failure -> failures.put(failure[0], failure));
                return;
            }
            if (line.startsWith(SuiteCommands.OUTPUT_PREFIX)) {
                decode(line.substring(SuiteCommands.OUTPUT_PREFIX.length()), 3)
                        .ifPresent(streams -> printed.put(streams[0], streams));
                return;
            }
            String[] parts = line.startsWith(SuiteCommands.VERDICT_PREFIX)
                    ? line.substring(SuiteCommands.VERDICT_PREFIX.length()).split(" ", 3) : new String[0];
            if (parts.length == 3) {
                Outcome outcome = switch (parts[0]) {
                    case "passed" -> Outcome.PASSED;
                    case "skipped" -> Outcome.SKIPPED;
                    case "failed" -> Outcome.FAILED;
                    default -> Outcome.ERROR;
                };
                boolean good = outcome == Outcome.PASSED || outcome == Outcome.SKIPPED;
                String[] failure = good ? null : failures.get(parts[2]);
                String[] streams = good ? NOTHING_PRINTED : printed.getOrDefault(parts[2], NOTHING_PRINTED);
                long millis = parseMillis(parts[1]);
                reported.put(parts[2], failure != null
                        ? new TestVerdict(parts[2], outcome, millis, failure[2].isEmpty() ? failure[1] : failure[2],
                                failure[1], failure[3], streams[1], streams[2])
                        : new TestVerdict(parts[2], outcome, millis, good ? "" : parts[0].equals("notfound")
                                ? NOT_FOUND : parts[0]));
            }
        });
        List<TestVerdict> verdicts = new ArrayList<>(tests.size());
        String endedBy = null;
        for (String test : tests) {
            TestVerdict verdict = reported.get(test);
            if (verdict != null) {
                verdicts.add(verdict);
            } else if (endedBy == null) {
                endedBy = test;
                boolean ranToItsEnd = result.outcome() == JobResult.Outcome.EXITED;
                verdicts.add(new TestVerdict(test, result.outcome() == JobResult.Outcome.CANCELLED
                        ? Outcome.SKIPPED : Outcome.ERROR, ranToItsEnd ? 0 : result.wallTime().toMillis(),
                        ranToItsEnd ? "its runner gave it no verdict (" + describe(result) + ")" : describe(result)));
            } else {
                verdicts.add(new TestVerdict(test, result.outcome() == JobResult.Outcome.CANCELLED
                        ? Outcome.SKIPPED : Outcome.ERROR, 0, "not run: " + endedBy + " before it in the same "
                        + "process ended it (" + describe(result) + ")"));
            }
        }
        return verdicts;
    }

    /** The fields of a failure line (NAME, TYPE, MESSAGE, TRACE) or an output line (NAME, STDOUT, STDERR). */
    private static Optional<String[]> decode(String base64, int fields) {
        try {
            String[] parts = new String(Base64.getDecoder().decode(base64.strip()), StandardCharsets.UTF_8)
                    .split("\0", fields);
            return parts.length == fields ? Optional.of(parts) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static long parseMillis(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How a job ended, in a few words: "exit status 1", "timed out", "killed by signal 11". */
    public static String describe(JobResult result) {
        String how = switch (result.outcome()) {
            case EXITED -> "exit status " + result.exitCode();
            case SIGNALED -> "killed by signal " + result.signal();
            case TIMED_OUT -> "timed out after " + result.wallTime().toMillis() + " ms";
            case MEMORY_LIMIT -> "hit its memory limit";
            case CANCELLED -> "cancelled";
            case LAUNCH_ERROR -> "could not start";
            case INFRASTRUCTURE_ERROR -> "lost by its node";
        };
        return result.message().isEmpty() ? how : how + ": " + result.message();
    }
}
