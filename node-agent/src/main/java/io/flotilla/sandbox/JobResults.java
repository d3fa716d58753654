package io.flotilla.sandbox;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import java.io.IOException;
import java.time.Duration;

/** Turns the launcher's FINISHED event, and what the job's cgroup counted, into a {@link JobResult}. */
final class JobResults {
    private JobResults() {
    }

    static JobResult from(LauncherEvent.Finished event, SandboxJob job) {
        if (event.outcome() == LauncherEvent.Finished.LAUNCH_ERROR) {
            return result(event, Outcome.LAUNCH_ERROR, 0, 0, false);
        }
        JobCgroup.LimitHits hits = new JobCgroup.LimitHits(false, false);
        if (job.cgroup.isPresent()) {
            try {
                hits = job.cgroup.get().limitsHit(job.spec().limits());
            } catch (IOException e) {
                return JobResult.infrastructureError("cannot read the job's cgroup: " + e.getMessage());
            }
        }
        int exitCode;
        int signal;
        if (event.outcome() == LauncherEvent.Finished.EXITED) {
            exitCode = event.code();
            signal = 0;
        } else if (event.outcome() == LauncherEvent.Finished.SIGNALED) {
            exitCode = 0;
            signal = event.code();
        } else { // TIMED_OUT and CANCELLED carry the raw wait status
            signal = event.code() & 0x7f;
            exitCode = signal == 0 ? (event.code() >> 8) & 0xff : 0;
        }
        Outcome outcome = switch (event.outcome()) {
            case LauncherEvent.Finished.TIMED_OUT -> Outcome.TIMED_OUT;
            case LauncherEvent.Finished.CANCELLED -> Outcome.CANCELLED;
            default -> hits.memory() ? Outcome.MEMORY_LIMIT
                    : event.outcome() == LauncherEvent.Finished.SIGNALED ? Outcome.SIGNALED : Outcome.EXITED;
        };
        return result(event, outcome, exitCode, signal, hits.pids());
    }

    private static JobResult result(LauncherEvent.Finished event, Outcome outcome, int exitCode, int signal,
                                    boolean pidsLimitReached) {
        return new JobResult(outcome, exitCode, signal, event.message(), Duration.ofNanos(event.wallMicros() * 1000),
                Duration.ofNanos((event.userMicros() + event.systemMicros()) * 1000), event.maxRssKib() * 1024,
                new OutputSummary(event.stdoutBytes(), event.stdoutKept()),
                new OutputSummary(event.stderrBytes(), event.stderrKept()), pidsLimitReached);
    }
}
