package io.flotilla.scheduler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.scheduler.core.SchedulerEvent.AttemptsLost;
import io.flotilla.scheduler.core.SchedulerEvent.JobFinished;
import io.flotilla.scheduler.core.SchedulerEvent.RunAccepted;
import io.flotilla.scheduler.core.SchedulerEvent.RunCancelled;
import io.flotilla.scheduler.core.SchedulerEvent.ShardDispatched;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The scheduler's rules, checked on the pure state without actors. */
class SchedulerStateTest {
    private final SchedulerState state = new SchedulerState();
    private final List<SchedulerEvent> journal = new ArrayList<>();

    static RunSpec run(String id, String user, int priority, int jobs, int retries, List<Long> expected) {
        List<ContainerSpec> specs = IntStream.range(0, jobs)
                .mapToObj(i -> ContainerSpec.builder("echo", id, Integer.toString(i)).build()).toList();
        return new RunSpec(id, user, priority, retries, specs, expected);
    }

    static JobResult exited(int code) {
        return new JobResult(Outcome.EXITED, code, 0, "", Duration.ofMillis(5), Duration.ofMillis(1), 1024,
                OutputSummary.EMPTY, OutputSummary.EMPTY, false);
    }

    private void apply(SchedulerEvent event) {
        journal.add(event);
        state.apply(event);
    }

    private void accept(RunSpec spec) {
        apply(new RunAccepted(spec, 0));
    }

    /** Asks for work for a node's free slots and applies the answer; returns the attempts it started. */
    private List<JobAttempt> offer(String node, int freeSlots) {
        List<JobAttempt> started = new ArrayList<>();
        for (ShardDispatched shard : state.decideShards(node, freeSlots, 8, 0)) {
            apply(shard);
            for (int i = 0; i < shard.jobs().size(); i++) {
                started.add(new JobAttempt(shard.runId(), shard.jobs().get(i), shard.attempts().get(i)));
            }
        }
        return started;
    }

    private void finish(JobAttempt attempt, JobResult result) {
        apply(new JobFinished(attempt, result));
    }

    @Test
    void higherPriorityRunsFirst() {
        accept(run("low", "ann", 0, 3, 0, null));
        accept(run("high", "bob", 5, 3, 0, null));
        List<JobAttempt> started = offer("n1", 4);
        assertEquals(List.of("high", "high", "high", "low"), started.stream().map(JobAttempt::runId).toList());
    }

    @Test
    void twoUsersShareTheSlotsAboutEqually() {
        accept(run("ann-big", "ann", 0, 1000, 0, null));
        accept(run("bob-big", "bob", 0, 1000, 0, null));
        List<JobAttempt> started = offer("n1", 100);
        long ann = started.stream().filter(a -> a.runId().equals("ann-big")).count();
        assertEquals(50, ann, "each user gets half of the free slots");

        // Ann's jobs finish first: the freed slots go to whoever runs less, until both are even again.
        started.stream().filter(a -> a.runId().equals("ann-big")).limit(20).forEach(a -> finish(a, exited(0)));
        List<JobAttempt> next = offer("n1", 20);
        assertTrue(next.stream().allMatch(a -> a.runId().equals("ann-big")), "ann was behind, so she catches up");
    }

    @Test
    void aUserWhoArrivesLateStillGetsHisShareOfFreedSlots() {
        accept(run("ann-big", "ann", 0, 1000, 0, null));
        List<JobAttempt> first = offer("n1", 100);
        accept(run("bob-big", "bob", 0, 1000, 0, null));
        first.stream().limit(60).forEach(a -> finish(a, exited(0)));
        List<JobAttempt> next = offer("n1", 60);
        long bob = next.stream().filter(a -> a.runId().equals("bob-big")).count();
        assertEquals(50, bob, "bob gets slots until both run 50");
    }

    @Test
    void withinARunTheLongestExpectedJobGoesFirst() {
        accept(run("r", "ann", 0, 5, 0, List.of(10L, 500L, 20L, 300L, 40L)));
        List<Integer> order = offer("n1", 5).stream().map(JobAttempt::job).toList();
        assertEquals(List.of(1, 3, 4, 2, 0), order);
    }

    @Test
    void shardsHoldJobsOfOneRunAndAtMostTheShardSize() {
        accept(run("a", "ann", 0, 20, 0, null));
        accept(run("b", "bob", 0, 20, 0, null));
        List<ShardDispatched> shards = state.decideShards("n1", 30, 8, 0);
        for (ShardDispatched shard : shards) {
            assertTrue(shard.jobs().size() <= 8, shard.toString());
        }
        assertEquals(30, shards.stream().mapToInt(s -> s.jobs().size()).sum());
        assertEquals(0, state.runningJobs(), "deciding changes nothing");
    }

    @Test
    void severalNodesAtOnceNeverGetTheSameJob() {
        accept(run("r", "ann", 0, 10, 0, null));
        java.util.Map<String, Integer> free = new java.util.LinkedHashMap<>();
        free.put("n1", 4);
        free.put("n2", 4);
        free.put("n3", 4);
        List<ShardDispatched> shards = state.decideShards(free, 8, 0);
        shards.forEach(this::apply);
        assertEquals(List.of(4, 4, 2), shards.stream().map(s -> s.jobs().size()).toList());
        assertEquals(10, shards.stream().flatMap(s -> s.jobs().stream()).distinct().count());
        assertEquals(0, state.pendingJobs());
    }

    @Test
    void aLostNodesAttemptsRunAgainElsewhereWithTheNextAttemptNumber() {
        accept(run("r", "ann", 0, 4, 0, null));
        List<JobAttempt> onDead = offer("dead", 2);
        apply(new AttemptsLost("dead", List.copyOf(state.runningOn("dead")), "node dead left the cluster"));
        assertEquals(4, state.pendingJobs());
        List<JobAttempt> elsewhere = offer("alive", 4);
        assertEquals(List.of(0, 1, 2, 3), elsewhere.stream().map(JobAttempt::job).sorted().toList());
        for (JobAttempt attempt : elsewhere) {
            assertEquals(onDead.stream().anyMatch(a -> a.job() == attempt.job()) ? 2 : 1, attempt.attempt());
        }
    }

    @Test
    void aJobsOwnFailureIsRetriedOnlyAsOftenAsTheRunAsks() {
        accept(run("r", "ann", 0, 1, 2, null));
        for (int attempt = 1; attempt <= 3; attempt++) {
            List<JobAttempt> started = offer("n1", 1);
            assertEquals(List.of(new JobAttempt("r", 0, attempt)), started);
            finish(started.get(0), exited(1));
        }
        assertEquals(JobStatus.FAILED, state.jobStatus("r", 0));
        assertEquals(1, state.finalResult("r", 0).orElseThrow().exitCode());
        assertTrue(offer("n1", 1).isEmpty());
        assertTrue(state.summary("r").orElseThrow().finished());
    }

    @Test
    void infrastructureFailuresAreRetriedWithoutRetriesUpToABudget() {
        accept(run("r", "ann", 0, 1, 0, null));
        for (int i = 0; i <= SchedulerState.MAX_INFRASTRUCTURE_RETRIES; i++) {
            List<JobAttempt> started = offer("n1", 1);
            assertEquals(1, started.size(), "attempt " + (i + 1));
            finish(started.get(0), JobResult.infrastructureError("launcher died"));
        }
        assertEquals(JobStatus.FAILED, state.jobStatus("r", 0));
        assertEquals(Outcome.INFRASTRUCTURE_ERROR, state.finalResult("r", 0).orElseThrow().outcome());
    }

    @Test
    void aResultCountsOnceAndOnlyForTheRunningAttempt() {
        accept(run("r", "ann", 0, 1, 0, null));
        JobAttempt first = offer("n1", 1).get(0);
        apply(new AttemptsLost("n1", List.of(first), "node silent past its lease"));
        JobAttempt second = offer("n2", 1).get(0);
        finish(first, exited(0)); // the first node reappears with a late result: ignored
        assertEquals(JobStatus.RUNNING, state.jobStatus("r", 0));
        finish(second, exited(0));
        finish(second, exited(3)); // a duplicate: ignored
        assertEquals(JobStatus.PASSED, state.jobStatus("r", 0));
        assertEquals(new RunSummary("r", "ann", 1, 0, 0, 1, 0, 0, false), state.summary("r").orElseThrow());
    }

    @Test
    void cancellingARunEndsItsPendingAndRunningJobsAndSaysWhatToKill() {
        accept(run("r", "ann", 0, 10, 0, null));
        accept(run("other", "bob", 0, 2, 0, null));
        List<JobAttempt> running = offer("n1", 4).stream().filter(a -> a.runId().equals("r")).toList();
        assertEquals(running.size(), state.runningAttemptsOf("r").get("n1").size());
        apply(new RunCancelled("r", 0));
        RunSummary summary = state.summary("r").orElseThrow();
        assertEquals(10, summary.cancelled());
        assertTrue(summary.finished() && summary.cancelRequested());
        finish(running.get(0), exited(0)); // the kill raced with the job's end: still cancelled
        assertEquals(JobStatus.CANCELLED, state.jobStatus("r", running.get(0).job()));
        assertTrue(offer("n1", 10).stream().allMatch(a -> a.runId().equals("other")));
    }

    @Test
    void onlyTheOwnerOrAnAdminMayCancelAndAnEndedRunStaysAsItEnded() {
        accept(run("r", "ann", 0, 1, 0, null));
        assertEquals(SchedulerState.Cancellation.UNKNOWN, state.decideCancel("nope", "ann", true));
        assertEquals(SchedulerState.Cancellation.REFUSED, state.decideCancel("r", "mallory", false));
        assertEquals(SchedulerState.Cancellation.CANCEL, state.decideCancel("r", "ann", false));
        assertEquals(SchedulerState.Cancellation.CANCEL, state.decideCancel("r", "root", true));
        finish(offer("n1", 1).get(0), exited(0));
        assertEquals(SchedulerState.Cancellation.ALREADY_ENDED, state.decideCancel("r", "ann", false));
        assertEquals(SchedulerState.Cancellation.REFUSED, state.decideCancel("r", "mallory", false),
                "refused even when there is nothing left to cancel: a stranger learns nothing");
    }

    @Test
    void aSubmissionIsIdempotentByRunId() {
        RunSpec spec = run("r", "ann", 0, 3, 0, null);
        assertEquals(SchedulerState.Submission.NEW, state.checkSubmission(spec));
        accept(spec);
        assertEquals(SchedulerState.Submission.DUPLICATE, state.checkSubmission(run("r", "ann", 0, 3, 0, null)));
        assertEquals(SchedulerState.Submission.CONFLICT, state.checkSubmission(run("r", "ann", 0, 4, 0, null)));
    }

    @Test
    void replayingTheJournalRebuildsTheSameState() {
        accept(run("a", "ann", 1, 50, 1, null));
        accept(run("b", "bob", 0, 50, 0, null));
        List<JobAttempt> started = new ArrayList<>(offer("n1", 30));
        started.addAll(offer("n2", 30));
        Collections.shuffle(started, new java.util.Random(7));
        for (int i = 0; i < 25; i++) {
            finish(started.get(i), exited(i % 3 == 0 ? 1 : 0));
        }
        apply(new AttemptsLost("n2", List.copyOf(state.runningOn("n2")), "lost"));

        SchedulerState replayed = new SchedulerState();
        journal.forEach(replayed::apply);
        for (String run : List.of("a", "b")) {
            assertEquals(state.summary(run), replayed.summary(run));
        }
        assertEquals(state.runningOn("n1"), replayed.runningOn("n1"));
        assertEquals(state.decideShards("n3", 40, 8, 0), replayed.decideShards("n3", 40, 8, 0));
    }

    @Test
    void aRunWhoseJobsShareContainersFillsEachSlotWithOneShardOfThatMany() {
        RunSpec plain = run("s", "ann", 0, 10, 0, null);
        accept(new RunSpec("s", "ann", 0, 0, plain.jobs(), null, 4, 0, 0));
        List<ShardDispatched> shards = state.decideShards("n1", 2, 16, 0);
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7)), shards.stream().map(ShardDispatched::jobs)
                .toList(), "one shard per slot, each as large as the run allows");
        shards.forEach(this::apply);
        List<ShardDispatched> rest = state.decideShards("n2", 5, 16, 0);
        assertEquals(List.of(List.of(8, 9)), rest.stream().map(ShardDispatched::jobs).toList());
    }

    @Test
    void aRunWithAParallelCapNeverRunsMoreJobsAtOnce() {
        RunSpec plain = run("capped", "ann", 0, 20, 0, null);
        accept(new RunSpec("capped", "ann", 0, 0, plain.jobs(), null, 1, 4, 0));
        accept(run("free", "bob", 0, 20, 0, null));
        List<JobAttempt> started = offer("n1", 30);
        assertEquals(4, started.stream().filter(a -> a.runId().equals("capped")).count(),
                "the cap holds even with slots to spare");
        assertEquals(20, started.stream().filter(a -> a.runId().equals("free")).count());
        JobAttempt done = started.stream().filter(a -> a.runId().equals("capped")).findFirst().orElseThrow();
        finish(done, exited(0));
        assertEquals(1, offer("n2", 10).size(), "one job ended, so one more may start");
        assertEquals(0, offer("n3", 10).size());
    }

    @Test
    void aRunThatStopsAfterFailuresIsCancelledByItsKthFailure() {
        RunSpec plain = run("hunt", "ann", 0, 100, 0, null);
        accept(new RunSpec("hunt", "ann", 0, 0, plain.jobs(), null, 1, 0, 2));
        List<JobAttempt> started = offer("n1", 10);
        finish(started.get(0), exited(1));
        assertFalse(state.summary("hunt").orElseThrow().cancelRequested(), "one failure of two allowed");
        finish(started.get(1), exited(0));
        finish(started.get(2), exited(3));
        RunSummary stopped = state.summary("hunt").orElseThrow();
        assertEquals(new RunSummary("hunt", "ann", 100, 0, 0, 1, 2, 97, true), stopped);
        assertTrue(stopped.finished());
        assertEquals(0, offer("n1", 10).size());
        assertEquals(Set.of(), state.runningOn("n1"), "its running jobs are cancelled, to be killed");
    }

    @Test
    void aSnapshotRestoresAStateThatAnswersAndDecidesTheSame() {
        accept(run("a", "ann", 1, 50, 1, null));
        accept(run("b", "bob", 0, 50, 0, IntStream.range(0, 50).mapToObj(i -> (long) i).toList()));
        accept(run("c", "cat", 0, 10, 0, null));
        List<JobAttempt> started = new ArrayList<>(offer("n1", 30));
        started.addAll(offer("n2", 30));
        for (int i = 0; i < 25; i++) {
            apply(new JobFinished(started.get(i), exited(i % 3 == 0 ? 1 : 0), i % 2 == 0 ? "output " + i + "\n" : ""));
        }
        apply(new RunCancelled("c", 0));
        apply(new AttemptsLost("n2", List.copyOf(state.runningOn("n2")), "lost"));

        SchedulerState restored = SchedulerState.restore(state.snapshot());
        assertSameState(state, restored);

        // Both go on alike: the same work is handed out, and the same results end the same jobs.
        List<ShardDispatched> next = state.decideShards(java.util.Map.of("n3", 40, "n4", 7), 8, 0);
        assertEquals(next, restored.decideShards(java.util.Map.of("n3", 40, "n4", 7), 8, 0));
        for (SchedulerEvent event : new ArrayList<SchedulerEvent>(next)) {
            apply(event);
            restored.apply(event);
        }
        for (JobAttempt attempt : List.copyOf(state.runningOn("n1"))) {
            JobFinished finished = new JobFinished(attempt, exited(attempt.job() % 2));
            apply(finished);
            restored.apply(finished);
        }
        assertSameState(state, restored);
    }

    private static void assertSameState(SchedulerState expected, SchedulerState actual) {
        for (String run : List.of("a", "b", "c")) {
            assertEquals(expected.summary(run), actual.summary(run));
            for (int job = 0; job < expected.spec(run).orElseThrow().jobs().size(); job++) {
                assertEquals(expected.jobStatus(run, job), actual.jobStatus(run, job), run + " job " + job);
                assertEquals(expected.finalResult(run, job), actual.finalResult(run, job), run + " job " + job);
                assertEquals(expected.finalOutputTail(run, job), actual.finalOutputTail(run, job));
            }
        }
        for (String node : List.of("n1", "n2", "n3", "n4")) {
            assertEquals(expected.runningOn(node), actual.runningOn(node));
        }
        assertEquals(expected.pendingJobs(), actual.pendingJobs());
        assertEquals(expected.runningJobs(), actual.runningJobs());
    }

    @Test
    void everyJobEndsWithExactlyOneFinalResult() {
        accept(run("r", "ann", 0, 200, 1, null));
        int finals = 0;
        while (!state.summary("r").orElseThrow().finished()) {
            for (JobAttempt attempt : offer("n" + finals % 3, 16)) {
                finish(attempt, exited(attempt.job() % 10 == 0 && attempt.attempt() == 1 ? 1 : 0));
                finals++;
            }
        }
        RunSummary summary = state.summary("r").orElseThrow();
        assertEquals(200, summary.passed(), "the failures passed on their retry");
        assertEquals(220, finals, "20 jobs ran twice");
        assertFalse(state.nodesWithWork().iterator().hasNext());
        assertEquals(0, state.pendingJobs());
    }
}
