package io.flotilla.scheduler.core;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * One run's jobs, held in arrays rather than objects so that a million queued jobs stay small: a status and two
 * attempt counters per job, and the pending jobs as a queue of indexes, longest expected first.
 */
final class RunState {
    final RunSpec spec;
    final long sequence;
    private final byte[] status;
    private final byte[] attempts;
    private final byte[] infrastructureFailures;
    private final IntRing pending;
    private JobResult[] finalResults;
    int pendingCount;
    int running;
    int passed;
    int failed;
    int cancelled;
    boolean cancelRequested;

    RunState(RunSpec spec, long sequence) {
        this.spec = spec;
        this.sequence = sequence;
        int n = spec.jobs().size();
        status = new byte[n];
        attempts = new byte[n];
        infrastructureFailures = new byte[n];
        pending = new IntRing(n);
        if (spec.expectedMillis() == null) {
            for (int i = 0; i < n; i++) {
                pending.addLast(i);
            }
        } else {
            IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingLong((Integer i) -> spec.expectedMillis(i)).reversed())
                    .forEach(pending::addLast);
        }
        pendingCount = n;
    }

    JobStatus status(int job) {
        return JobStatus.values()[status[job]];
    }

    void setStatus(int job, JobStatus value) {
        status[job] = (byte) value.ordinal();
    }

    int attempts(int job) {
        return attempts[job];
    }

    void setAttempts(int job, int value) {
        attempts[job] = (byte) value;
    }

    int infrastructureFailures(int job) {
        return infrastructureFailures[job];
    }

    void countInfrastructureFailure(int job) {
        infrastructureFailures[job]++;
    }

    /** Pending jobs that still wait in front of the queue, in dispatch order; stale entries are skipped. */
    int pendingAt(int position) {
        return pending.get(position);
    }

    int queueLength() {
        return pending.size();
    }

    /** Drops entries at the front of the queue that are no longer pending. */
    void trimQueue() {
        while (pending.size() > 0 && status[pending.get(0)] != JobStatus.PENDING.ordinal()) {
            pending.removeFirst();
        }
    }

    /** A job that runs again goes to the front: it has waited longest. */
    void requeue(int job) {
        setStatus(job, JobStatus.PENDING);
        pending.addFirst(job);
        pendingCount++;
    }

    void recordFinal(int job, JobStatus finalStatus, JobResult result) {
        setStatus(job, finalStatus);
        switch (finalStatus) {
            case PASSED -> passed++;
            case FAILED -> failed++;
            default -> cancelled++;
        }
        if (result != null) {
            if (finalResults == null) {
                finalResults = new JobResult[status.length];
            }
            finalResults[job] = result;
        }
    }

    JobResult finalResult(int job) {
        return finalResults == null ? null : finalResults[job];
    }

    RunSummary summary() {
        return new RunSummary(spec.runId(), spec.user(), status.length, pendingCount, running, passed, failed,
                cancelled, cancelRequested);
    }
}
