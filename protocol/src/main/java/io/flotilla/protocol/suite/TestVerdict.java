package io.flotilla.protocol.suite;

/**
 * What became of one test in one attempt, in the terms CI reports use: a failure is the test saying it failed, an
 * error is the test not getting to say (it timed out, crashed, or never ran).
 *
 * @param test the test's name in its suite
 * @param millis how long it took, as its runner measured it, or its job's wall time
 * @param message why it did not pass; empty when it did. For a test whose runner reported the exception (JUnit,
 *                pytest), the exception's message
 * @param type the exception's type, as JUnit XML's {@code type} attribute takes it; empty when none was reported
 * @param trace the exception's stack trace (or pytest's report), trimmed of the test framework's frames; empty when
 *              none was reported
 * @param stdout what a failed or erring test printed to stdout while it ran, as its runner kept it (JUnit, pytest);
 *               empty when none was reported. The job's output holds it too, among other tests' output
 * @param stderr the same of its stderr
 */
public record TestVerdict(String test, Outcome outcome, long millis, String message, String type, String trace,
        String stdout, String stderr) {
    /** The verdict itself. */
    public enum Outcome {
        PASSED, FAILED, ERROR, SKIPPED
    }

    public TestVerdict {
        message = message == null ? "" : message;
        type = type == null ? "" : type;
        trace = trace == null ? "" : trace;
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    /** A verdict with no exception reported: all that is known is how its job ended. */
    public TestVerdict(String test, Outcome outcome, long millis, String message) {
        this(test, outcome, millis, message, "", "", "", "");
    }

    /** Whether the test counts against the run: it failed or could not run to its end. */
    public boolean bad() {
        return outcome == Outcome.FAILED || outcome == Outcome.ERROR;
    }
}
