package io.flotilla.scheduler.core;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.SchedulerProtocol.EarlierAttempt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * One run's jobs, held in arrays rather than objects so that a million queued jobs stay small: a status and two
 * attempt counters per job, and the pending jobs as a queue of indexes, longest expected first.
 */
final class RunState {
    final RunSpec spec;
    /** The spec as submitted, which a repeated submission is compared with: a suite's differs once it expanded. */
    final RunSpec submitted;
    final long sequence;
    private final byte[] status;
    private final byte[] attempts;
    private final byte[] infrastructureFailures;
    private final IntRing pending;
    private JobResult[] finalResults;
    /** The end of each final attempt's output; allocated when a job first has some. */
    private String[] outputTails;
    /** The failed attempts of jobs that ran again, by job; allocated at the first retry. */
    private Map<Integer, List<EarlierAttempt>> earlierAttempts;
    /** Why the run failed as a whole: its suite's listing failed. */
    String error = "";
    int pendingCount;
    int running;
    int passed;
    int failed;
    int cancelled;
    boolean cancelRequested;

    RunState(RunSpec spec, long sequence) {
        this(spec, spec, sequence);
    }

    RunState(RunSpec spec, RunSpec submitted, long sequence) {
        this(spec, submitted, sequence, new byte[spec.jobs().size()], new byte[spec.jobs().size()],
                new byte[spec.jobs().size()], new IntRing(spec.jobs().size()));
        int n = spec.jobs().size();
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

    private RunState(RunSpec spec, RunSpec submitted, long sequence, byte[] status, byte[] attempts,
                     byte[] infrastructureFailures, IntRing pending) {
        this.spec = spec;
        this.submitted = submitted;
        this.sequence = sequence;
        this.status = status;
        this.attempts = attempts;
        this.infrastructureFailures = infrastructureFailures;
        this.pending = pending;
    }

    /** The run as a snapshot holds it: copies, so that the run may change while the snapshot is written. */
    SchedulerSnapshot.Run snapshot() {
        Map<Integer, JobResult> results = new TreeMap<>();
        Map<Integer, String> tails = new TreeMap<>();
        for (int job = 0; job < status.length; job++) {
            if (finalResult(job) != null) {
                results.put(job, finalResult(job));
            }
            if (!outputTail(job).isEmpty()) {
                tails.put(job, outputTail(job));
            }
        }
        int[] queue = new int[pending.size()];
        Arrays.setAll(queue, pending::get);
        Map<Integer, List<EarlierAttempt>> earlier = earlierAttempts == null ? Map.of()
                : new TreeMap<>(earlierAttempts);
        return new SchedulerSnapshot.Run(spec, sequence, status.clone(), attempts.clone(),
                infrastructureFailures.clone(), queue, results, tails, cancelRequested,
                submitted == spec ? null : submitted, error, earlier);
    }

    /** A run as it was when the snapshot was taken; its counters follow from the job statuses. */
    static RunState restore(SchedulerSnapshot.Run saved) {
        int[] queue = saved.pending();
        IntRing pending = new IntRing(queue.length);
        Arrays.stream(queue).forEach(pending::addLast);
        RunState run = new RunState(saved.spec(), saved.submitted() == null ? saved.spec() : saved.submitted(),
                saved.sequence(), saved.status().clone(), saved.attempts().clone(),
                saved.infrastructureFailures().clone(), pending);
        run.cancelRequested = saved.cancelRequested();
        run.error = saved.error() == null ? "" : saved.error();
        if (saved.earlierAttempts() != null && !saved.earlierAttempts().isEmpty()) {
            run.earlierAttempts = new HashMap<>(saved.earlierAttempts());
        }
        for (int job = 0; job < run.status.length; job++) {
            switch (run.status(job)) {
                case PENDING -> run.pendingCount++;
                case RUNNING -> run.running++;
                case PASSED -> run.passed++;
                case FAILED -> run.failed++;
                case CANCELLED -> run.cancelled++;
            }
        }
        saved.finalResults().forEach(run::recordResult);
        if (saved.outputTails() != null) { // absent from snapshots taken before outputs were kept
            saved.outputTails().forEach(run::recordOutputTail);
        }
        return run;
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

    /** Keeps a failed attempt of a job that will run again. */
    void recordEarlierAttempt(int job, EarlierAttempt attempt) {
        if (earlierAttempts == null) {
            earlierAttempts = new HashMap<>();
        }
        earlierAttempts.computeIfAbsent(job, j -> new ArrayList<>()).add(attempt);
    }

    List<EarlierAttempt> earlierAttempts(int job) {
        return earlierAttempts == null ? List.of() : earlierAttempts.getOrDefault(job, List.of());
    }

    /** A job that runs again goes to the front: it has waited longest. */
    void requeue(int job) {
        setStatus(job, JobStatus.PENDING);
        pending.addFirst(job);
        pendingCount++;
    }

    void recordFinal(int job, JobStatus finalStatus, JobResult result, String outputTail) {
        setStatus(job, finalStatus);
        switch (finalStatus) {
            case PASSED -> passed++;
            case FAILED -> failed++;
            default -> cancelled++;
        }
        if (result != null) {
            recordResult(job, result);
        }
        recordOutputTail(job, outputTail);
    }

    private void recordOutputTail(int job, String outputTail) {
        if (outputTail == null || outputTail.isEmpty()) {
            return;
        }
        if (outputTails == null) {
            outputTails = new String[status.length];
        }
        outputTails[job] = outputTail;
    }

    String outputTail(int job) {
        return outputTails == null || outputTails[job] == null ? "" : outputTails[job];
    }

    private void recordResult(int job, JobResult result) {
        if (finalResults == null) {
            finalResults = new JobResult[status.length];
        }
        finalResults[job] = result;
    }

    JobResult finalResult(int job) {
        return finalResults == null ? null : finalResults[job];
    }

    RunSummary summary() {
        return new RunSummary(spec.runId(), spec.user(), status.length, pendingCount, running, passed, failed,
                cancelled, cancelRequested, spec.isListing() && error.isEmpty() && !cancelRequested, error,
                spec.plan() == null ? null : spec.plan().disabled());
    }
}
