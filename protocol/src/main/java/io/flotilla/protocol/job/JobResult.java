package io.flotilla.protocol.job;

import java.time.Duration;

/**
 * What became of one job. Exactly one {@link Outcome} says why it ended; the rest is what it cost and printed.
 *
 * @param outcome why the job ended
 * @param exitCode the exit status of the job's pid 1 when it exited (also after a timeout or the memory limit)
 * @param signal the signal that ended pid 1, or 0
 * @param message why the job could not start or the node failed it; empty otherwise
 * @param wallTime from the job's start to the end of its last process
 * @param cpuTime user plus system time of pid 1 and the children it waited for
 * @param maxRssBytes the largest resident set of pid 1 or a child it waited for
 * @param stdout how much the job wrote to stdout, and how much of it was kept
 * @param stderr how much the job wrote to stderr, and how much of it was kept
 * @param pidsLimitReached whether the job tried to exceed its pids limit
 */
public record JobResult(Outcome outcome, int exitCode, int signal, String message, Duration wallTime,
                        Duration cpuTime, long maxRssBytes, OutputSummary stdout, OutputSummary stderr,
                        boolean pidsLimitReached) {

    /** Why a job ended. Only {@link #INFRASTRUCTURE_ERROR} is the node's fault rather than the job's. */
    public enum Outcome {
        /** pid 1 exited by itself; see {@link JobResult#exitCode()}. */
        EXITED,
        /** pid 1 was killed by a signal that the sandbox did not send; see {@link JobResult#signal()}. */
        SIGNALED,
        /** The wall-clock timeout ran out and the job was terminated. */
        TIMED_OUT,
        /** The job hit its memory limit and the kernel killed part of it. */
        MEMORY_LIMIT,
        /** The job was cancelled while it ran. */
        CANCELLED,
        /** The job's program never started: it does not exist, its working directory is missing, and so on. */
        LAUNCH_ERROR,
        /** The node failed the job (its launcher died, say); running it again elsewhere may well succeed. */
        INFRASTRUCTURE_ERROR
    }

    /** How much a job wrote to one stream and how much of that the node kept. */
    public record OutputSummary(long bytes, long keptBytes) {
        public static final OutputSummary EMPTY = new OutputSummary(0, 0);

        public boolean truncated() {
            return keptBytes < bytes;
        }
    }

    public JobResult {
        message = message == null ? "" : message;
    }

    /** A job that the node failed before or while it ran, through no fault of the job. */
    public static JobResult infrastructureError(String message) {
        return new JobResult(Outcome.INFRASTRUCTURE_ERROR, 0, 0, message, Duration.ZERO, Duration.ZERO, 0,
                OutputSummary.EMPTY, OutputSummary.EMPTY, false);
    }

    /** Whether the job ran and exited with status 0. */
    public boolean succeeded() {
        return outcome == Outcome.EXITED && exitCode == 0;
    }
}
