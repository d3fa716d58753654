package io.flotilla.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.scheduler.core.SchedulerState;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler actor over a real H2 journal, with agents played by test probes and every message serialized as it
 * would be between nodes.
 */
class SchedulerActorTest {
    private static final Path dataDir = createDataDir();
    private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.load(ConfigFactory.parseString(
            String.join("\n",
                    "pekko.actor.serialize-messages = on",
                    "flotilla.data-dir = \"" + dataDir + "\"",
                    "flotilla.scheduler.tick = 100ms",
                    "flotilla.scheduler.lease = 1s")).withFallback(ConfigFactory.defaultApplication())));
    private static final SchedulerSettings settings = SchedulerSettings.from(kit.system().settings().config());

    static {
        try {
            Journal.createSchemaIfMissing(Adapter.toClassic(kit.system()), Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("flotilla-scheduler-test-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void shutdown() throws java.io.IOException {
        kit.shutdownTestKit();
        try (var files = Files.walk(dataDir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static RunSpec run(String id, int jobs, int retries) {
        List<ContainerSpec> specs = IntStream.range(0, jobs)
                .mapToObj(i -> ContainerSpec.builder("test", Integer.toString(i)).build()).toList();
        return new RunSpec(id, "ann", 0, retries, specs, null);
    }

    private static JobResult exited(int code) {
        return new JobResult(Outcome.EXITED, code, 0, "", Duration.ofMillis(3), Duration.ofMillis(1), 0,
                OutputSummary.EMPTY, OutputSummary.EMPTY, false);
    }

    /** A scheduler of its own, under a persistence id of its own, so tests do not share a journal. */
    private static ActorRef<SchedulerProtocol.Command> scheduler() {
        return kit.spawn(SchedulerActor.create(settings, "scheduler-" + System.nanoTime()));
    }

    private static SchedulerProtocol.SubmitReply submit(ActorRef<SchedulerProtocol.Command> scheduler, RunSpec spec) {
        TestProbe<SchedulerProtocol.SubmitReply> reply = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.SubmitRun(spec, reply.getRef()));
        return reply.receiveMessage();
    }

    /** A probe playing a node agent that has told the scheduler it has {@code slots} free slots. */
    private static TestProbe<NodeAgentProtocol.Command> agent(ActorRef<SchedulerProtocol.Command> scheduler,
                                                              String node, int slots) {
        TestProbe<NodeAgentProtocol.Command> agent = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.AgentStatus(node, agent.getRef(), slots, List.of()));
        return agent;
    }

    private static List<JobAttempt> receiveShards(TestProbe<NodeAgentProtocol.Command> agent, int jobs) {
        List<JobAttempt> attempts = new ArrayList<>();
        while (attempts.size() < jobs) {
            attempts.addAll(agent.expectMessageClass(NodeAgentProtocol.RunShard.class).attempts());
        }
        return attempts;
    }

    @Test
    void aRunIsDispatchedToAgentsAndFollowedToItsEnd() {
        ActorRef<SchedulerProtocol.Command> scheduler = scheduler();
        TestProbe<NodeAgentProtocol.Command> agent = agent(scheduler, "n1", 4);
        TestProbe<SchedulerProtocol.RunEvent> follower = kit.createTestProbe();
        assertEquals(new SchedulerProtocol.Accepted("r1", false), submit(scheduler, run("r1", 3, 1)));
        scheduler.tell(new SchedulerProtocol.FollowRun("r1", follower.getRef()));

        List<JobAttempt> attempts = receiveShards(agent, 3);
        scheduler.tell(new SchedulerProtocol.AttemptFinished("n1", attempts.get(0), exited(0), ""));
        scheduler.tell(new SchedulerProtocol.AttemptFinished("n1", attempts.get(0), exited(0), "")); // duplicate
        scheduler.tell(new SchedulerProtocol.AttemptFinished("n1", attempts.get(1), exited(1), ""));
        JobAttempt retry = receiveShards(agent, 1).get(0);
        assertEquals(new JobAttempt("r1", attempts.get(1).job(), 2), retry, "the failure runs again");
        scheduler.tell(new SchedulerProtocol.AttemptFinished("n1", attempts.get(2), exited(0), ""));
        scheduler.tell(new SchedulerProtocol.AttemptFinished("n1", retry, exited(0), ""));

        List<JobStatus> statuses = new ArrayList<>();
        SchedulerProtocol.RunEvent event = follower.receiveMessage();
        while (!(event instanceof SchedulerProtocol.RunCompleted)) {
            if (event instanceof SchedulerProtocol.AttemptCompleted completed) {
                statuses.add(completed.status());
            }
            event = follower.receiveMessage();
        }
        assertEquals(List.of(JobStatus.PASSED, JobStatus.PENDING, JobStatus.PASSED, JobStatus.PASSED), statuses);
        assertEquals(new RunSummary("r1", "ann", 3, 0, 0, 3, 0, 0, false),
                ((SchedulerProtocol.RunCompleted) event).summary());
    }

    @Test
    void submissionsAreIdempotentByRunId() {
        ActorRef<SchedulerProtocol.Command> scheduler = scheduler();
        assertEquals(new SchedulerProtocol.Accepted("r2", false), submit(scheduler, run("r2", 2, 0)));
        assertEquals(new SchedulerProtocol.Accepted("r2", true), submit(scheduler, run("r2", 2, 0)));
        SchedulerProtocol.SubmitReply conflict = submit(scheduler, run("r2", 3, 0));
        assertEquals(new SchedulerProtocol.Rejected("r2", "runId", "run id r2 was already used for a different run"),
                conflict);
    }

    @Test
    void aSilentNodesAttemptsGoToAnotherNode() {
        ActorRef<SchedulerProtocol.Command> scheduler = scheduler();
        TestProbe<NodeAgentProtocol.Command> dying = agent(scheduler, "dying", 2);
        submit(scheduler, run("r3", 2, 0));
        List<JobAttempt> first = receiveShards(dying, 2);

        TestProbe<NodeAgentProtocol.Command> alive = kit.createTestProbe();
        List<JobAttempt> again = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 10_000;
        while (again.size() < 2 && System.currentTimeMillis() < deadline) {
            scheduler.tell(new SchedulerProtocol.AgentStatus("alive", alive.getRef(), 2, again));
            NodeAgentProtocol.Command shard = alive.receiveMessage(Duration.ofSeconds(5));
            again.addAll(((NodeAgentProtocol.RunShard) shard).attempts());
        }
        assertEquals(first.stream().map(JobAttempt::job).sorted().toList(),
                again.stream().map(JobAttempt::job).sorted().toList());
        assertTrue(again.stream().allMatch(a -> a.attempt() == 2), again.toString());
    }

    @Test
    void cancellingKillsRunningAttemptsOnTheirNode() {
        ActorRef<SchedulerProtocol.Command> scheduler = scheduler();
        TestProbe<NodeAgentProtocol.Command> agent = agent(scheduler, "n1", 2);
        submit(scheduler, run("r4", 5, 0));
        List<JobAttempt> running = receiveShards(agent, 2);
        TestProbe<SchedulerProtocol.RunReply> reply = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.CancelRun("r4", "mallory", false, reply.getRef()));
        assertEquals(new SchedulerProtocol.CancelRefused("r4", "ann"), reply.receiveMessage());
        agent.expectNoMessage(Duration.ofMillis(300));
        scheduler.tell(new SchedulerProtocol.CancelRun("r4", "ann", false, reply.getRef()));
        assertEquals(java.util.Set.copyOf(running),
                java.util.Set.copyOf(agent.expectMessageClass(NodeAgentProtocol.KillAttempts.class).attempts()));
        SchedulerProtocol.RunFound found = assertInstanceOf(SchedulerProtocol.RunFound.class, reply.receiveMessage());
        assertEquals(5, found.summary().cancelled());
    }

    @Test
    void aResultWaitingToBeJournaledIsNotMistakenForALostAttempt() throws InterruptedException {
        SchedulerSettings slowBatches = new SchedulerSettings(settings.tick(), settings.lease(),
                settings.maxShardSize(), Duration.ofSeconds(2), settings.maxResultBatch(), settings.snapshotEvery());
        ActorRef<SchedulerProtocol.Command> scheduler = kit.spawn(SchedulerActor.create(slowBatches,
                "scheduler-" + System.nanoTime()));
        TestProbe<NodeAgentProtocol.Command> agent = agent(scheduler, "n1", 1);
        TestProbe<SchedulerProtocol.RunEvent> follower = kit.createTestProbe();
        submit(scheduler, run("r7", 1, 0));
        scheduler.tell(new SchedulerProtocol.FollowRun("r7", follower.getRef()));
        JobAttempt attempt = receiveShards(agent, 1).get(0);
        long ranUntil = System.currentTimeMillis() + settings.lease().toMillis() + 500;
        while (System.currentTimeMillis() < ranUntil) { // the attempt runs longer than the lease
            scheduler.tell(new SchedulerProtocol.AgentStatus("n1", agent.getRef(), 0, List.of(attempt)));
            Thread.sleep(200);
        }

        // The agent reports the result, then, its slot free, a status without the attempt: the result is still
        // waiting for its batch to be journaled when the status arrives.
        scheduler.tell(new SchedulerProtocol.AttemptFinished("n1", attempt, exited(0), "done"));
        scheduler.tell(new SchedulerProtocol.AgentStatus("n1", agent.getRef(), 1, List.of()));

        SchedulerProtocol.RunEvent event = follower.receiveMessage(Duration.ofSeconds(10));
        while (!(event instanceof SchedulerProtocol.RunCompleted)) {
            assertTrue(!(event instanceof SchedulerProtocol.AttemptCompleted completed)
                    || completed.status() == JobStatus.PASSED, "the attempt was not run again: " + event);
            event = follower.receiveMessage(Duration.ofSeconds(10));
        }
        assertEquals(new RunSummary("r7", "ann", 1, 0, 0, 1, 0, 0, false),
                ((SchedulerProtocol.RunCompleted) event).summary());
    }

    @Test
    void followersHearOfAttemptsLostForGoodAndOfTheRunsEnd() {
        ActorRef<SchedulerProtocol.Command> scheduler = scheduler();
        TestProbe<SchedulerProtocol.RunEvent> follower = kit.createTestProbe();
        TestProbe<NodeAgentProtocol.Command> agent = agent(scheduler, "n1", 1);
        submit(scheduler, run("r8", 1, 0));
        scheduler.tell(new SchedulerProtocol.FollowRun("r8", follower.getRef()));
        for (int attempt = 1; attempt <= 1 + SchedulerState.MAX_INFRASTRUCTURE_RETRIES; attempt++) {
            // The node takes each attempt, then falls silent past its lease.
            assertEquals(attempt, receiveShards(agent, 1).get(0).attempt());
            List<SchedulerProtocol.RunEvent> events = follower.fishForMessage(Duration.ofSeconds(10), event ->
                    event instanceof SchedulerProtocol.AttemptCompleted ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore());
            SchedulerProtocol.AttemptCompleted lost = (SchedulerProtocol.AttemptCompleted) events.get(
                    events.size() - 1);
            assertEquals(Outcome.INFRASTRUCTURE_ERROR, lost.result().outcome());
            assertEquals(attempt <= SchedulerState.MAX_INFRASTRUCTURE_RETRIES ? JobStatus.PENDING : JobStatus.FAILED,
                    lost.status());
            scheduler.tell(new SchedulerProtocol.AgentStatus("n1", agent.getRef(), 1, List.of())); // back again
        }
        SchedulerProtocol.RunCompleted end = assertInstanceOf(SchedulerProtocol.RunCompleted.class,
                follower.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(1, end.summary().failed());
    }

    @Test
    void aNewSchedulerRecoversRunsFromTheJournal() {
        String id = "scheduler-recovery-" + System.nanoTime();
        ActorRef<SchedulerProtocol.Command> first = kit.spawn(SchedulerActor.create(settings, id));
        submit(first, run("r5", 4, 0));
        kit.stop(first);
        ActorRef<SchedulerProtocol.Command> second = kit.spawn(SchedulerActor.create(settings, id));
        TestProbe<SchedulerProtocol.RunReply> reply = kit.createTestProbe();
        second.tell(new SchedulerProtocol.GetRun("r5", reply.getRef()));
        assertEquals(new SchedulerProtocol.RunFound(new RunSummary("r5", "ann", 4, 4, 0, 0, 0, 0, false)),
                reply.receiveMessage());
    }

    @Test
    void aNewSchedulerRecoversFromASnapshotAndTheEventsAfterIt() throws Exception {
        String id = "scheduler-snapshot-" + System.nanoTime();
        SchedulerSettings snapshotOften = new SchedulerSettings(settings.tick(), settings.lease(),
                settings.maxShardSize(), settings.resultBatchDelay(), settings.maxResultBatch(), 5);
        ActorRef<SchedulerProtocol.Command> first = kit.spawn(SchedulerActor.create(snapshotOften, id));
        TestProbe<NodeAgentProtocol.Command> agent = agent(first, "n1", 12);
        submit(first, run("r6", 12, 0));
        List<JobAttempt> attempts = receiveShards(agent, 12);
        for (int i = 0; i < 9; i++) {
            first.tell(new SchedulerProtocol.AttemptFinished("n1", attempts.get(i), exited(i < 3 ? 2 : 0), "tail"));
        }
        TestProbe<SchedulerProtocol.RunReply> reply = kit.createTestProbe();
        RunSummary expected = new RunSummary("r6", "ann", 12, 0, 3, 6, 3, 0, false);
        long deadline = System.currentTimeMillis() + 10_000;
        RunSummary before;
        do {
            first.tell(new SchedulerProtocol.GetRun("r6", reply.getRef()));
            before = ((SchedulerProtocol.RunFound) reply.receiveMessage()).summary();
        } while (!before.equals(expected) && System.currentTimeMillis() < deadline);
        assertEquals(expected, before);
        kit.stop(first);
        assertTrue(snapshotsOf(id) > 0, "the state was snapshotted");

        ActorRef<SchedulerProtocol.Command> second = kit.spawn(SchedulerActor.create(snapshotOften, id));
        second.tell(new SchedulerProtocol.GetRun("r6", reply.getRef()));
        assertEquals(new SchedulerProtocol.RunFound(expected), reply.receiveMessage());
        TestProbe<SchedulerProtocol.JobsReply> jobs = kit.createTestProbe();
        second.tell(new SchedulerProtocol.GetJobs("r6", JobStatus.FAILED, 0, 10, jobs.getRef()));
        SchedulerProtocol.JobsFound failed = assertInstanceOf(SchedulerProtocol.JobsFound.class, jobs.receiveMessage());
        assertEquals(3, failed.jobs().size());
        assertTrue(failed.jobs().stream().allMatch(job -> job.outputTail().equals("tail")
                && job.result().exitCode() == 2), "results and outputs survive recovery: " + failed.jobs());
        // The recovered scheduler still knows which attempts run where: their results count.
        TestProbe<SchedulerProtocol.RunEvent> follower = kit.createTestProbe();
        second.tell(new SchedulerProtocol.FollowRun("r6", follower.getRef()));
        for (int i = 9; i < 12; i++) {
            second.tell(new SchedulerProtocol.AttemptFinished("n1", attempts.get(i), exited(0), ""));
        }
        SchedulerProtocol.RunEvent event = follower.receiveMessage();
        while (!(event instanceof SchedulerProtocol.RunCompleted)) {
            event = follower.receiveMessage();
        }
        assertEquals(new RunSummary("r6", "ann", 12, 0, 0, 9, 3, 0, false),
                ((SchedulerProtocol.RunCompleted) event).summary());
    }

    private static long snapshotsOf(String persistenceId) throws Exception {
        String url = kit.system().settings().config().getString("flotilla.journal.url");
        try (Connection db = DriverManager.getConnection(url, "sa", "");
             PreparedStatement query = db.prepareStatement(
                     "select count(*) from \"snapshot\" where \"persistence_id\" = ?")) {
            query.setString(1, persistenceId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
