package io.flotilla.scheduler.core;

import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.suite.TestVerdicts;
import io.flotilla.scheduler.core.SchedulerEvent.AttemptsLost;
import io.flotilla.scheduler.core.SchedulerEvent.JobFinished;
import io.flotilla.scheduler.core.SchedulerEvent.RunAccepted;
import io.flotilla.scheduler.core.SchedulerEvent.RunCancelled;
import io.flotilla.scheduler.core.SchedulerEvent.ShardDispatched;
import io.flotilla.scheduler.core.SchedulerEvent.SuiteExpanded;
import io.flotilla.scheduler.suite.ListingException;
import io.flotilla.scheduler.suite.SuiteExpansion;
import io.flotilla.scheduler.suite.SuiteHistory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scheduler's whole state: every run, the queue of pending jobs, and which attempt runs on which node.
 *
 * <p>It changes only through {@link #apply(SchedulerEvent)}, so the journal rebuilds it exactly. Decisions read it
 * without changing it: {@link #decideShards} says which jobs a node with free slots should run next, and
 * {@link #decideExpansion} what a suite's listing expands its run into, as events for the caller to journal and
 * then apply. Rules:
 * <ul>
 *   <li>Queue order: higher priority first; within a priority, the user with the fewest running jobs (fair share),
 *       ties going round-robin; within a user, the oldest run; within a run, the longest expected job, and a job
 *       that runs again before the rest.</li>
 *   <li>A result counts only for the attempt that is running; late and duplicate results are ignored.</li>
 *   <li>A job's own failure is retried {@link RunSpec#retries()} times. A failure of the node (the node was lost,
 *       its launcher died) is retried regardless, up to {@link #MAX_INFRASTRUCTURE_RETRIES} times.</li>
 *   <li>A run never has more than {@link RunSpec#maxParallel()} jobs running, when it sets a cap.</li>
 *   <li>A suite's test that skips (exit status 77 where that means a skip) passes: it is not retried, and does not
 *       fail the run. A suite's listing step is never retried for its own failure. When it ends, the run becomes the run of the
 *       suite's tests, or fails with the listing's error; each result of a test's job feeds the suite's timing
 *       history.</li>
 *   <li>Cancelling a run ends its pending and running jobs at once as cancelled. A run that asked to stop after K
 *       failures is cancelled by its K-th failed job.</li>
 * </ul>
 *
 * <p>Not thread-safe: the scheduler actor owns it.
 */
public final class SchedulerState {
    public static final int MAX_INFRASTRUCTURE_RETRIES = 5;

    /** How a submission relates to the runs already accepted under its id. */
    public enum Submission {
        NEW, DUPLICATE, CONFLICT
    }

    /** What a request to cancel a run comes to. */
    public enum Cancellation {
        /** No such run. */
        UNKNOWN,
        /** The requester neither owns the run nor is an admin: nothing changes. */
        REFUSED,
        /** The run has ended already: it stays as it ended. */
        ALREADY_ENDED,
        /** Cancel it: persist {@link RunCancelled}, then kill what runs. */
        CANCEL
    }

    private final Map<String, RunState> runs = new HashMap<>();
    /** Priority → user → that user's runs with pending jobs, oldest first. Users are in round-robin order. */
    private final TreeMap<Integer, LinkedHashMap<String, ArrayDeque<RunState>>> queue =
            new TreeMap<>(Comparator.reverseOrder());
    private final Map<String, Integer> runningPerUser = new HashMap<>();
    private final Map<String, Set<JobAttempt>> runningByNode = new HashMap<>();
    private final Map<JobAttempt, String> nodeOfAttempt = new HashMap<>();
    private final Set<RunState> queued = new LinkedHashSet<>();
    private SuiteHistory history = new SuiteHistory();
    private long nextShardId = 1;
    private long nextRunSequence;
    private long pendingJobs;

    // ---------- queries ----------

    public Submission checkSubmission(RunSpec spec) {
        RunState existing = runs.get(spec.runId());
        if (existing == null) {
            return Submission.NEW;
        }
        return existing.submitted.equals(spec) ? Submission.DUPLICATE : Submission.CONFLICT;
    }

    /** How long each suite's tests took the last time, for ordering a suite's tests when it expands. */
    public SuiteHistory history() {
        return history;
    }

    /** Every run's id, in no particular order. */
    public List<String> runIds() {
        return List.copyOf(runs.keySet());
    }

    /** Whether {@code requestedBy} may cancel the run, and whether there is anything left to cancel. */
    public Cancellation decideCancel(String runId, String requestedBy, boolean admin) {
        RunState run = runs.get(runId);
        if (run == null) {
            return Cancellation.UNKNOWN;
        }
        if (!admin && !run.spec.user().equals(requestedBy)) {
            return Cancellation.REFUSED;
        }
        return run.summary().finished() ? Cancellation.ALREADY_ENDED : Cancellation.CANCEL;
    }

    public Optional<RunSummary> summary(String runId) {
        return Optional.ofNullable(runs.get(runId)).map(RunState::summary);
    }

    public Optional<RunSpec> spec(String runId) {
        return Optional.ofNullable(runs.get(runId)).map(run -> run.spec);
    }

    public JobStatus jobStatus(String runId, int job) {
        return run(runId).status(job);
    }

    /** The end of the output of the attempt that ended a job; empty until then, or when it printed nothing. */
    public String finalOutputTail(String runId, int job) {
        return run(runId).outputTail(job);
    }

    /** The result that ended a job, once it has one; a cancelled job that never ran has none. */
    public Optional<JobResult> finalResult(String runId, int job) {
        return Optional.ofNullable(run(runId).finalResult(job));
    }

    /**
     * A page of a run's jobs, from {@code from} on, only those in {@code state} when it is not null. A page looks
     * at no more than {@link #MAX_JOBS_SCANNED_PER_PAGE} jobs, so a rare state in a huge run may take several
     * pages, some empty; {@code next} says where to go on, -1 at the end.
     */
    public SchedulerProtocol.JobsFound jobs(String runId, JobStatus state, int from, int limit) {
        RunState run = run(runId);
        int total = run.spec.jobs().size();
        List<SchedulerProtocol.JobView> jobs = new ArrayList<>();
        int job = Math.max(0, from);
        int scanEnd = (int) Math.min(total, (long) job + MAX_JOBS_SCANNED_PER_PAGE);
        for (; job < scanEnd && jobs.size() < limit; job++) {
            JobStatus status = run.status(job);
            if (state == null || status == state) {
                jobs.add(new SchedulerProtocol.JobView(job, status, run.attempts(job), run.finalResult(job),
                        run.outputTail(job), run.spec.plan() == null ? List.of() : run.spec.plan().jobTests().get(job),
                        run.earlierAttempts(job)));
            }
        }
        return new SchedulerProtocol.JobsFound(runId, jobs, job < total ? job : -1);
    }

    public static final int MAX_JOBS_SCANNED_PER_PAGE = 100_000;

    /** Whether this attempt is the one running, so that its result would count. */
    public boolean isRunning(JobAttempt attempt) {
        return nodeOfAttempt.containsKey(attempt);
    }

    public Set<JobAttempt> runningOn(String node) {
        return Set.copyOf(runningByNode.getOrDefault(node, Set.of()));
    }

    /** Node → the run's attempts running there: whom to tell to kill what when the run is cancelled. */
    public Map<String, List<JobAttempt>> runningAttemptsOf(String runId) {
        Map<String, List<JobAttempt>> byNode = new HashMap<>();
        nodeOfAttempt.forEach((attempt, node) -> {
            if (attempt.runId().equals(runId)) {
                byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(attempt);
            }
        });
        return byNode;
    }

    public Set<String> nodesWithWork() {
        return Set.copyOf(runningByNode.keySet());
    }

    public long pendingJobs() {
        return pendingJobs;
    }

    public int runningJobs() {
        return nodeOfAttempt.size();
    }

    /** Jobs with their final result, over every run. */
    public long finishedJobs() {
        long finished = 0;
        for (RunState run : runs.values()) {
            finished += run.passed + run.failed + run.cancelled;
        }
        return finished;
    }

    // ---------- decisions ----------

    /**
     * Picks jobs for up to {@code freeSlots} slots of a node, grouped into shards of at most {@code maxShardSize}
     * jobs of one run. A run whose jobs share containers fills a slot with up to that many of its jobs, as a shard
     * of its own. Changes nothing: journal the shards, then apply them.
     */
    public List<ShardDispatched> decideShards(String node, int freeSlots, int maxShardSize, long nowMillis) {
        return decideShards(Map.of(node, freeSlots), maxShardSize, nowMillis);
    }

    /** The same for several nodes at once, each job going to at most one of them; nodes are served in map order. */
    public List<ShardDispatched> decideShards(Map<String, Integer> freeSlotsByNode, int maxShardSize, long nowMillis) {
        Map<RunState, Integer> cursor = new HashMap<>();
        Map<RunState, Integer> taken = new HashMap<>();
        Map<String, Integer> extraRunning = new HashMap<>();
        List<ShardDispatched> shards = new ArrayList<>();
        long shardId = nextShardId;
        for (Map.Entry<String, Integer> node : freeSlotsByNode.entrySet()) {
            Map<RunState, List<Integer>> ownContainers = new LinkedHashMap<>();
            List<Map.Entry<RunState, List<Integer>>> sharedContainers = new ArrayList<>();
            for (int slot = 0; slot < node.getValue(); slot++) {
                RunState run = nextRun(taken, extraRunning);
                if (run == null) {
                    break;
                }
                int room = run.spec.maxParallel() == 0 ? Integer.MAX_VALUE
                        : run.spec.maxParallel() - run.running - taken.getOrDefault(run, 0);
                List<Integer> jobs = takePending(run, Math.min(room, run.spec.jobsPerContainer()), cursor, taken);
                extraRunning.merge(run.spec.user(), jobs.size(), Integer::sum);
                if (run.spec.jobsPerContainer() > 1) {
                    sharedContainers.add(Map.entry(run, jobs));
                } else {
                    ownContainers.computeIfAbsent(run, r -> new ArrayList<>()).addAll(jobs);
                }
            }
            for (Map.Entry<RunState, List<Integer>> entry : ownContainers.entrySet()) {
                List<Integer> jobs = entry.getValue();
                for (int from = 0; from < jobs.size(); from += maxShardSize) {
                    shards.add(shard(shardId++, node.getKey(), entry.getKey(),
                            jobs.subList(from, Math.min(jobs.size(), from + maxShardSize)), nowMillis));
                }
            }
            for (Map.Entry<RunState, List<Integer>> entry : sharedContainers) {
                shards.add(shard(shardId++, node.getKey(), entry.getKey(), entry.getValue(), nowMillis));
            }
        }
        return shards;
    }

    /** Up to {@code count} of the run's pending jobs, in queue order, after those already taken. */
    private static List<Integer> takePending(RunState run, int count, Map<RunState, Integer> cursor,
                                             Map<RunState, Integer> taken) {
        List<Integer> jobs = new ArrayList<>();
        int position = cursor.getOrDefault(run, 0);
        while (jobs.size() < count && taken.getOrDefault(run, 0) < run.pendingCount) {
            while (run.status(run.pendingAt(position)) != JobStatus.PENDING) {
                position++;
            }
            jobs.add(run.pendingAt(position++));
            taken.merge(run, 1, Integer::sum);
        }
        cursor.put(run, position);
        return jobs;
    }

    private static ShardDispatched shard(long shardId, String node, RunState run, List<Integer> jobs, long nowMillis) {
        List<Integer> attempts = jobs.stream().map(job -> run.attempts(job) + 1).toList();
        return new ShardDispatched(shardId, node, run.spec.runId(), jobs, attempts, nowMillis);
    }

    /** The run whose job goes next, by priority, then fair share, then age; null when nothing is pending. */
    private RunState nextRun(Map<RunState, Integer> taken, Map<String, Integer> extraRunning) {
        for (LinkedHashMap<String, ArrayDeque<RunState>> users : queue.values()) {
            RunState best = null;
            int bestRunning = Integer.MAX_VALUE;
            for (Map.Entry<String, ArrayDeque<RunState>> user : users.entrySet()) {
                int running = runningPerUser.getOrDefault(user.getKey(), 0)
                        + extraRunning.getOrDefault(user.getKey(), 0);
                if (running >= bestRunning) {
                    continue;
                }
                for (RunState run : user.getValue()) {
                    int takenHere = taken.getOrDefault(run, 0);
                    if (run.pendingCount > takenHere && !atParallelCap(run, takenHere)) {
                        best = run;
                        bestRunning = running;
                        break;
                    }
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    private static boolean atParallelCap(RunState run, int taken) {
        return run.spec.maxParallel() > 0 && run.running + taken >= run.spec.maxParallel();
    }

    /**
     * What a suite's listing step expands its run into ({@code result} null for a command suite, which has none),
     * or, when the listing failed, is not a listing, or gives tests that cannot run, the error that fails the run.
     */
    public SuiteExpanded decideExpansion(RunSpec listing, JobResult result, String output) {
        try {
            return new SuiteExpanded(listing.runId(), SuiteExpansion.expand(listing, result, output, history), "");
        } catch (ListingException e) {
            return new SuiteExpanded(listing.runId(), null, e.getMessage());
        } catch (InvalidSpecException e) {
            return new SuiteExpanded(listing.runId(), null, "the " + SuiteExpansion.kindName(listing.suite().kind())
                    + " listing gives a test that cannot run: " + e.getMessage());
        }
    }

    // ---------- snapshots ----------

    /** A copy of the whole state, for the snapshot store. */
    public SchedulerSnapshot snapshot() {
        List<SchedulerSnapshot.Run> savedRuns = runs.values().stream().sorted(Comparator.comparingLong(r -> r.sequence))
                .map(RunState::snapshot).toList();
        List<SchedulerSnapshot.Running> running = new ArrayList<>();
        runningByNode.forEach((node, attempts) -> attempts.forEach(attempt -> running.add(
                new SchedulerSnapshot.Running(attempt, node))));
        return new SchedulerSnapshot(savedRuns, running, nextShardId, nextRunSequence, history.snapshot());
    }

    /** The state a snapshot was taken of: the same answers to every query and decision. */
    public static SchedulerState restore(SchedulerSnapshot snapshot) {
        SchedulerState state = new SchedulerState();
        for (SchedulerSnapshot.Run saved : snapshot.runs()) {
            RunState run = RunState.restore(saved);
            state.runs.put(run.spec.runId(), run);
            state.pendingJobs += run.pendingCount;
            if (run.pendingCount > 0) {
                state.enqueue(run);
            }
        }
        for (SchedulerSnapshot.Running running : snapshot.running()) {
            JobAttempt attempt = running.attempt();
            state.runningByNode.computeIfAbsent(running.node(), n -> new LinkedHashSet<>()).add(attempt);
            state.nodeOfAttempt.put(attempt, running.node());
            state.runningPerUser.merge(state.run(attempt.runId()).spec.user(), 1, Integer::sum);
        }
        state.nextShardId = snapshot.nextShardId();
        state.nextRunSequence = snapshot.nextRunSequence();
        state.history = SuiteHistory.restore(snapshot.history());
        return state;
    }

    // ---------- events ----------

    public SchedulerState apply(SchedulerEvent event) {
        if (event instanceof RunAccepted accepted) {
            RunState run = new RunState(accepted.spec(), nextRunSequence++);
            runs.put(run.spec.runId(), run);
            pendingJobs += run.pendingCount;
            enqueue(run);
        } else if (event instanceof ShardDispatched shard) {
            dispatched(shard);
        } else if (event instanceof JobFinished finished) {
            finished(finished.attempt(), finished.result(), finished.outputTail());
        } else if (event instanceof AttemptsLost lost) {
            for (JobAttempt attempt : lost.attempts()) {
                finished(attempt, JobResult.infrastructureError(lost.reason()), "");
            }
        } else if (event instanceof RunCancelled cancelled) {
            cancel(run(cancelled.runId()));
        } else if (event instanceof SuiteExpanded expanded) {
            expand(run(expanded.runId()), expanded);
        }
        return this;
    }

    private void dispatched(ShardDispatched shard) {
        RunState run = run(shard.runId());
        Set<JobAttempt> onNode = runningByNode.computeIfAbsent(shard.node(), n -> new LinkedHashSet<>());
        for (int i = 0; i < shard.jobs().size(); i++) {
            int job = shard.jobs().get(i);
            JobAttempt attempt = new JobAttempt(run.spec.runId(), job, shard.attempts().get(i));
            run.setStatus(job, JobStatus.RUNNING);
            run.setAttempts(job, attempt.attempt());
            run.pendingCount--;
            run.running++;
            pendingJobs--;
            onNode.add(attempt);
            nodeOfAttempt.put(attempt, shard.node());
        }
        runningPerUser.merge(run.spec.user(), shard.jobs().size(), Integer::sum);
        run.trimQueue();
        if (run.pendingCount == 0) {
            dequeue(run);
        } else {
            LinkedHashMap<String, ArrayDeque<RunState>> users = queue.get(run.spec.priority());
            users.put(run.spec.user(), users.remove(run.spec.user())); // served: to the back of the round
        }
        nextShardId = Math.max(nextShardId, shard.shardId() + 1);
    }

    private void finished(JobAttempt attempt, JobResult result, String outputTail) {
        String node = nodeOfAttempt.remove(attempt);
        if (node == null) {
            return; // not the running attempt: late, duplicate, or its run was cancelled
        }
        Set<JobAttempt> onNode = runningByNode.get(node);
        onNode.remove(attempt);
        if (onNode.isEmpty()) {
            runningByNode.remove(node);
        }
        RunState run = run(attempt.runId());
        int job = attempt.job();
        run.running--;
        runningPerUser.merge(run.spec.user(), -1, Integer::sum);
        if (result.succeeded() || run.spec.plan() != null && TestVerdicts.isSkip(run.spec.suite().kind(), result)) {
            run.recordFinal(job, JobStatus.PASSED, result, outputTail);
        } else if (result.outcome() == JobResult.Outcome.INFRASTRUCTURE_ERROR) {
            run.countInfrastructureFailure(job);
            if (run.infrastructureFailures(job) > MAX_INFRASTRUCTURE_RETRIES) {
                run.recordFinal(job, JobStatus.FAILED, result, outputTail);
            } else {
                requeue(run, job);
            }
        } else if (run.attempts(job) - run.infrastructureFailures(job) <= retries(run.spec)) {
            run.recordEarlierAttempt(job, new SchedulerProtocol.EarlierAttempt(attempt.attempt(), result));
            requeue(run, job);
        } else {
            run.recordFinal(job, JobStatus.FAILED, result, outputTail);
        }
        if (run.spec.plan() != null && result.outcome() != JobResult.Outcome.INFRASTRUCTURE_ERROR) {
            history.record(run.spec.suite().name(), TestVerdicts.of(run.spec.suite().kind(),
                    run.spec.plan().jobTests().get(job), result, outputTail));
        }
        if (run.spec.stopAfterFailures() > 0 && run.failed >= run.spec.stopAfterFailures()) {
            cancel(run);
        }
    }

    private static int retries(RunSpec spec) {
        return spec.isListing() ? 0 : spec.retries();
    }

    /** The listing run becomes the run of the suite's tests, in its place in the queue; or it fails whole. */
    private void expand(RunState listing, SuiteExpanded expanded) {
        if (expanded.expanded() == null) {
            listing.error = expanded.error();
            if (listing.status(0) == JobStatus.PASSED) {
                listing.setStatus(0, JobStatus.FAILED);
                listing.passed--;
                listing.failed++;
            }
            return;
        }
        dequeue(listing);
        pendingJobs -= listing.pendingCount;
        RunState run = new RunState(expanded.expanded(), listing.submitted, listing.sequence);
        runs.put(run.spec.runId(), run);
        pendingJobs += run.pendingCount;
        enqueue(run);
        if (run.spec.suite().listOnly()) {
            cancel(run);
        }
    }

    private void cancel(RunState run) {
        if (run.cancelRequested) {
            return;
        }
        run.cancelRequested = true;
        for (Map.Entry<String, List<JobAttempt>> entry : runningAttemptsOf(run.spec.runId()).entrySet()) {
            for (JobAttempt attempt : entry.getValue()) {
                nodeOfAttempt.remove(attempt);
                runningByNode.get(entry.getKey()).remove(attempt);
                run.recordFinal(attempt.job(), JobStatus.CANCELLED, null, "");
            }
            if (runningByNode.get(entry.getKey()).isEmpty()) {
                runningByNode.remove(entry.getKey());
            }
        }
        runningPerUser.merge(run.spec.user(), -run.running, Integer::sum);
        run.running = 0;
        for (int job = 0; job < run.spec.jobs().size(); job++) {
            if (run.status(job) == JobStatus.PENDING) {
                run.recordFinal(job, JobStatus.CANCELLED, null, "");
            }
        }
        pendingJobs -= run.pendingCount;
        run.pendingCount = 0;
        dequeue(run);
    }

    private void requeue(RunState run, int job) {
        run.requeue(job);
        pendingJobs++;
        enqueue(run);
    }

    private void enqueue(RunState run) {
        if (!queued.add(run)) {
            return;
        }
        ArrayDeque<RunState> runsOfUser = queue.computeIfAbsent(run.spec.priority(), p -> new LinkedHashMap<>())
                .computeIfAbsent(run.spec.user(), u -> new ArrayDeque<>());
        List<RunState> ordered = new ArrayList<>(runsOfUser);
        ordered.add(run);
        ordered.sort(Comparator.comparingLong(r -> r.sequence));
        runsOfUser.clear();
        runsOfUser.addAll(ordered);
    }

    private void dequeue(RunState run) {
        if (!queued.remove(run)) {
            return;
        }
        LinkedHashMap<String, ArrayDeque<RunState>> users = queue.get(run.spec.priority());
        ArrayDeque<RunState> runsOfUser = users.get(run.spec.user());
        runsOfUser.remove(run);
        if (runsOfUser.isEmpty()) {
            users.remove(run.spec.user());
            if (users.isEmpty()) {
                queue.remove(run.spec.priority());
            }
        }
    }

    private RunState run(String runId) {
        RunState run = runs.get(runId);
        if (run == null) {
            throw new IllegalArgumentException("no run " + runId);
        }
        return run;
    }
}
