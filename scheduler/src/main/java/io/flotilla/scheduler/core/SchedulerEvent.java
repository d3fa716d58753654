package io.flotilla.scheduler.core;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.RunSpec;
import java.util.List;

/**
 * Everything that changes the scheduler's state, in the past tense. The scheduler actor journals these and nothing
 * else, so replaying them rebuilds the state exactly. They are kept small: a shard names its jobs by index.
 */
public sealed interface SchedulerEvent {
    /** A new run was accepted. */
    record RunAccepted(RunSpec spec, long atMillis) implements SchedulerEvent {
    }

    /** Jobs of one run were sent to one node, each with its new attempt number. */
    record ShardDispatched(long shardId, String node, String runId, List<Integer> jobs, List<Integer> attempts,
                           long atMillis) implements SchedulerEvent {
        public ShardDispatched {
            jobs = List.copyOf(jobs);
            attempts = List.copyOf(attempts);
        }
    }

    /**
     * A node reported the result of one attempt, with the end of its output. It counts only if that attempt is the
     * one running. Events journaled before the output travelled with them read as no output.
     */
    record JobFinished(JobAttempt attempt, JobResult result, String outputTail) implements SchedulerEvent {
        public JobFinished {
            outputTail = outputTail == null ? "" : outputTail;
        }

        public JobFinished(JobAttempt attempt, JobResult result) {
            this(attempt, result, "");
        }
    }

    /** Attempts that will never report: their node died, left, or no longer runs them. They run again. */
    record AttemptsLost(String node, List<JobAttempt> attempts, String reason) implements SchedulerEvent {
        public AttemptsLost {
            attempts = List.copyOf(attempts);
        }
    }

    /**
     * A suite's listing step ended and the run became the run of the suite's tests ({@code expanded}), or failed as a
     * whole with {@code error}, which names the suite and quotes what the listing printed.
     */
    record SuiteExpanded(String runId, RunSpec expanded, String error) implements SchedulerEvent {
    }

    /** A run was cancelled: its pending jobs will not run and its running jobs are being killed. */
    record RunCancelled(String runId, long atMillis) implements SchedulerEvent {
    }
}
