package io.flotilla.scheduler.core;

import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.scheduler.suite.SuiteHistory;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's state as the snapshot store keeps it, so that recovery replays only the events after the last
 * snapshot instead of the whole journal. It is a copy, taken on the scheduler's thread and written as JSON
 * elsewhere, so it never changes under the writer. Counters are not stored: they follow from the job statuses.
 *
 * @param runs every run, in the order they were accepted
 * @param running every attempt that runs, with its node
 * @param history each suite's timing history; null in snapshots taken before suites had one
 */
public record SchedulerSnapshot(List<Run> runs, List<Running> running, long nextShardId, long nextRunSequence,
                                Map<String, Map<String, SuiteHistory.Entry>> history) {
    public SchedulerSnapshot {
        runs = List.copyOf(runs);
        running = List.copyOf(running);
    }

    /**
     * One run's jobs.
     *
     * @param status each job's {@link io.flotilla.protocol.run.JobStatus} ordinal
     * @param attempts each job's attempt count
     * @param infrastructureFailures each job's count of attempts lost to the node
     * @param pending the queue of pending job indexes, front first (it may hold entries no longer pending)
     * @param finalResults the result that ended each job that has one, by job index
     * @param outputTails the end of the output of each job's final attempt, for those that printed something
     * @param submitted the spec as submitted when it differs from {@code spec} (an expanded suite), else null
     * @param error why the run failed as a whole, or empty
     * @param earlierAttempts the failed attempts of jobs that ran again, by job
     */
    public record Run(RunSpec spec, long sequence, byte[] status, byte[] attempts, byte[] infrastructureFailures,
                      int[] pending, Map<Integer, JobResult> finalResults, Map<Integer, String> outputTails,
                      boolean cancelRequested, RunSpec submitted, String error,
                      Map<Integer, List<SchedulerProtocol.EarlierAttempt>> earlierAttempts) {
    }

    /** An attempt that runs, and where. */
    public record Running(JobAttempt attempt, String node) {
    }
}
