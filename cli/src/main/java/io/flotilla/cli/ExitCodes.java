package io.flotilla.cli;

/** The exit codes of the client commands, as the README promises them. */
final class ExitCodes {
    static final int PASSED = 0;
    /** A job failed, or the run was cancelled. */
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;

    private ExitCodes() {
    }
}
