package io.flotilla.scheduler;

import io.flotilla.protocol.SchedulerProtocol.LatencyHistogram;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How long jobs wait between entering the queue (their run accepted, or the job set to run again after a failed
 * attempt) and being sent to a node, as a histogram for {@code /metrics}. It is the scheduler's figure for "do
 * jobs start promptly": it grows when the cluster is full, and when the scheduler itself falls behind. Times live
 * only in memory: a run recovered by a new scheduler counts from the recovery.
 */
final class DispatchLatency {
    /** Upper bounds of the buckets, in milliseconds; a last bucket takes the rest. */
    static final List<Long> BOUNDS_MILLIS = List.of(5L, 10L, 50L, 100L, 500L, 1_000L, 5_000L, 30_000L, 300_000L);

    private record Job(String runId, int job) {
    }

    private final long[] counts = new long[BOUNDS_MILLIS.size() + 1];
    private long sumMillis;
    private long count;
    private final Map<String, Long> runQueuedAt = new HashMap<>();
    private final Map<Job, Long> requeuedAt = new HashMap<>();

    void runQueued(String runId, long nowMillis) {
        runQueuedAt.put(runId, nowMillis);
    }

    void jobRequeued(String runId, int job, long nowMillis) {
        requeuedAt.put(new Job(runId, job), nowMillis);
    }

    void dispatched(String runId, int job, int attempt, long nowMillis) {
        Long since = attempt > 1 ? requeuedAt.remove(new Job(runId, job)) : null;
        if (since == null) {
            since = runQueuedAt.get(runId);
        }
        if (since != null) {
            record(Math.max(0, nowMillis - since));
        }
    }

    void runEnded(String runId) {
        runQueuedAt.remove(runId);
        requeuedAt.keySet().removeIf(job -> job.runId().equals(runId));
    }

    private void record(long millis) {
        int bucket = 0;
        while (bucket < BOUNDS_MILLIS.size() && millis > BOUNDS_MILLIS.get(bucket)) {
            bucket++;
        }
        counts[bucket]++;
        sumMillis += millis;
        count++;
    }

    LatencyHistogram histogram() {
        List<Long> cumulative = new ArrayList<>(BOUNDS_MILLIS.size());
        long running = 0;
        for (int bucket = 0; bucket < BOUNDS_MILLIS.size(); bucket++) {
            running += counts[bucket];
            cumulative.add(running);
        }
        return new LatencyHistogram(BOUNDS_MILLIS, cumulative, sumMillis, count);
    }
}
