package io.flotilla.deploy;

import static io.flotilla.protocol.job.Quantities.describeBytes;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Limits;
import java.io.PrintWriter;

/**
 * How a job's result becomes our exit status, the way a shell reports a child: the job's own code, 128+N for signal
 * N, 124 for a timeout (as GNU timeout does), 137 for the memory limit (the kernel's SIGKILL), 126 and 127 when the
 * program could not run, 125 when Flotilla failed. Anything that is not the job's plain exit gets one line on stderr.
 */
final class ExitStatus {
    static final int TIMED_OUT = 124;
    static final int CANNOT_EXECUTE = 126;
    static final int NOT_FOUND = 127;
    static final int CANCELLED = 130;
    static final int MEMORY_LIMIT = 137;

    private ExitStatus() {
    }

    static int report(JobResult result, Limits limits, PrintWriter err) {
        if (result.stdout().truncated()) {
            err.println("flotilla: stdout truncated: kept " + describeBytes(result.stdout().keptBytes()) + " of "
                    + describeBytes(result.stdout().bytes()));
        }
        if (result.stderr().truncated()) {
            err.println("flotilla: stderr truncated: kept " + describeBytes(result.stderr().keptBytes()) + " of "
                    + describeBytes(result.stderr().bytes()));
        }
        if (result.pidsLimitReached()) {
            err.println("flotilla: the job reached its pids limit of " + limits.pids());
        }
        int status = switch (result.outcome()) {
            case EXITED -> result.exitCode();
            case SIGNALED -> line(err, 128 + result.signal(), "job killed by signal " + result.signal());
            case TIMED_OUT -> line(err, TIMED_OUT, "job timed out after " + limits.timeout().toMillis() + " ms");
            case MEMORY_LIMIT -> line(err, MEMORY_LIMIT, "job hit its memory limit of "
                    + describeBytes(limits.memoryBytes()));
            case CANCELLED -> line(err, CANCELLED, "job cancelled");
            case LAUNCH_ERROR -> line(err, result.message().startsWith("program not found") ? NOT_FOUND
                    : CANNOT_EXECUTE, "cannot launch: " + result.message());
            case INFRASTRUCTURE_ERROR -> line(err, Main.USAGE_ERROR, result.message());
        };
        err.flush();
        return status;
    }

    private static int line(PrintWriter err, int status, String message) {
        err.println("flotilla: " + message);
        return status;
    }

}
