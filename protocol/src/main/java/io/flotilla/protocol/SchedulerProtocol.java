package io.flotilla.protocol;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages to the cluster-singleton scheduler, and its answers. */
public final class SchedulerProtocol {
    private SchedulerProtocol() {
    }

    /** What the scheduler accepts. */
    public sealed interface Command extends CrossNode {
    }

    /** Messages the scheduler sends itself, such as timer ticks. They never leave its node, so they are never serialized. */
    public non-sealed interface SelfMessage extends Command, NoSerializationVerificationNeeded {
    }

    /** Sent by any node's API to submit a run; answered with a {@link SubmitReply}. Idempotent by run id. */
    public record SubmitRun(RunSpec spec, ActorRef<SubmitReply> replyTo) implements Command {
    }

    /**
     * Sent by a node's API to cancel a run for {@code requestedBy}: its pending jobs will not run and its running
     * jobs are killed on every node. Only the run's owner, or a caller with {@code admin} rights, may; a run that
     * has ended stays as it ended. Answered with a {@link RunReply}: {@link RunFound}, {@link RunNotFound} or
     * {@link CancelRefused}.
     */
    public record CancelRun(String runId, String requestedBy, boolean admin, ActorRef<RunReply> replyTo)
            implements Command {
    }

    /** Sent to ask how far a run has got; answered with a {@link RunReply}. */
    public record GetRun(String runId, ActorRef<RunReply> replyTo) implements Command {
    }

    /** Sent to follow a run: the subscriber gets its {@link RunEvent}s until {@link RunCompleted}. */
    public record FollowRun(String runId, ActorRef<RunEvent> subscriber) implements Command {
    }

    /**
     * Sent to list a run's jobs, a page at a time, optionally only those in one state; answered with
     * {@link JobsFound} or {@link RunNotFound}. Pages keep each answer far below the wire's frame limit.
     *
     * @param state only jobs in this state; null for all
     * @param from the first job index to look at
     * @param limit the most jobs to return, 1 to {@link #MAX_JOBS_PER_PAGE}
     */
    public record GetJobs(String runId, JobStatus state, int from, int limit, ActorRef<JobsReply> replyTo)
            implements Command {
    }

    public static final int MAX_JOBS_PER_PAGE = 500;

    /** Sent to learn the cluster's capacity and load; answered with {@link ClusterState}. */
    public record GetCluster(ActorRef<ClusterReply> replyTo) implements Command {
    }

    /**
     * Sent to follow a run's numbered event stream, resumably: the subscriber gets every {@link NumberedEvent} after
     * {@code afterSeq} of {@code epoch}, then each new one, until {@link RunCompleted}. Numbers count within one
     * scheduler's lifetime (its epoch); asked with another epoch, as after a failover, the stream starts again from
     * {@link StreamRestarted}, followed by the final result of every job that has one.
     *
     * @param epoch the epoch of the last event the subscriber saw, or empty for the start
     */
    public record FollowRunEvents(String runId, String epoch, long afterSeq, ActorRef<NumberedEvent> subscriber)
            implements Command {
    }

    /** Sent by a node agent every few seconds and whenever a slot frees: what it can take and what it runs. */
    public record AgentStatus(String node, ActorRef<NodeAgentProtocol.Command> agent, int freeSlots,
                              List<JobAttempt> running) implements Command {
        public AgentStatus {
            running = List.copyOf(running);
        }
    }

    /**
     * Sent by a node agent when an attempt has ended, well or badly, with the last few KiB of its output (the whole
     * output stays on the node: bytes do not travel in messages).
     */
    public record AttemptFinished(String node, JobAttempt attempt, JobResult result, String outputTail)
            implements Command {
    }

    /** The answer to {@link SubmitRun}. */
    public sealed interface SubmitReply extends CrossNode {
    }

    /** The run is accepted; {@code duplicate} when it had been accepted before under the same id and body. */
    public record Accepted(String runId, boolean duplicate) implements SubmitReply {
    }

    /** The run is refused, with the field at fault and why. Nothing of it was kept. */
    public record Rejected(String runId, String field, String message) implements SubmitReply {
    }

    /** The answer to {@link GetRun} and {@link CancelRun}. */
    public sealed interface RunReply extends CrossNode {
    }

    public record RunFound(RunSummary summary) implements RunReply {
    }

    public record RunNotFound(String runId) implements RunReply, JobsReply {
    }

    /** The answer to {@link CancelRun} from someone who is neither the run's owner nor an admin: nothing changed. */
    public record CancelRefused(String runId, String owner) implements RunReply {
    }

    /** The answer to {@link GetJobs}. */
    public sealed interface JobsReply extends CrossNode {
    }

    /**
     * A page of a run's jobs.
     *
     * @param next the index to ask from for the next page, or -1 when there is none
     */
    public record JobsFound(String runId, List<JobView> jobs, int next) implements JobsReply {
        public JobsFound {
            jobs = List.copyOf(jobs);
        }
    }

    /**
     * One job: where it stands, how many attempts it has had, the result that ended it (null until then) and the
     * end of that attempt's output.
     *
     * @param tests for a suite's job, the tests it runs; empty otherwise
     * @param earlierAttempts the results of its attempts before the last that the job itself failed (with
     *                        retries), oldest first: a job that passed after one is flaky
     */
    public record JobView(int job, JobStatus status, int attempts, JobResult result, String outputTail,
                          List<String> tests, List<EarlierAttempt> earlierAttempts) {
        public JobView {
            tests = List.copyOf(tests);
            earlierAttempts = List.copyOf(earlierAttempts);
        }

        public JobView(int job, JobStatus status, int attempts, JobResult result, String outputTail) {
            this(job, status, attempts, result, outputTail, List.of(), List.of());
        }
    }

    /** An attempt of a job that failed and was run again. */
    public record EarlierAttempt(int attempt, JobResult result) {
    }

    /** The answer to {@link GetCluster}. */
    public sealed interface ClusterReply extends CrossNode {
    }

    /** The cluster as the scheduler sees it; {@code finishedJobs} counts every job of every run it knows. */
    public record ClusterState(List<NodeView> nodes, long pendingJobs, int runningJobs, long finishedJobs,
                               LatencyHistogram dispatchLatency) implements ClusterReply {
        public ClusterState {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * How long jobs waited from entering the queue to being sent to a node: {@code cumulativeCounts.get(i)} jobs
     * waited at most {@code boundsMillis.get(i)}; {@code count} jobs in all, {@code sumMillis} together.
     */
    public record LatencyHistogram(List<Long> boundsMillis, List<Long> cumulativeCounts, long sumMillis, long count) {
        public LatencyHistogram {
            boundsMillis = List.copyOf(boundsMillis);
            cumulativeCounts = List.copyOf(cumulativeCounts);
        }
    }

    /** One node agent: its free slots, as it last reported, and how many attempts the scheduler has on it. */
    public record NodeView(String node, int freeSlots, int runningJobs) {
    }

    /** What a follower of a run hears, in order. */
    public sealed interface RunEvent extends CrossNode {
        String runId();
    }

    /** Attempts of the run started on a node. */
    public record ShardStarted(String runId, String node, List<JobAttempt> attempts) implements RunEvent {
        public ShardStarted {
            attempts = List.copyOf(attempts);
        }
    }

    /** An attempt ended; {@code status} says whether the job is now final or will run again. */
    public record AttemptCompleted(String runId, JobAttempt attempt, JobResult result, JobStatus status,
                                   String outputTail) implements RunEvent {
    }

    /** Every job of the run has its final result. */
    public record RunCompleted(String runId, RunSummary summary) implements RunEvent {
    }

    /** The answer to following a run that the scheduler does not know. */
    public record RunUnknown(String runId) implements RunEvent {
    }

    /**
     * The numbered stream starts again, in a new epoch: what the subscriber saw before may be incomplete, and the
     * events that follow give every job's final result so far.
     */
    public record StreamRestarted(String runId) implements RunEvent {
    }

    /** What a follower of a run's numbered stream gets. */
    public sealed interface StreamReply extends CrossNode {
    }

    /** One event of a run's stream, with its place: event {@code seq} (from 1) of scheduler epoch {@code epoch}. */
    public record NumberedEvent(String epoch, long seq, RunEvent event) implements StreamReply {
    }
}
