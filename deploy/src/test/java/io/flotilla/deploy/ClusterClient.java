package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.scheduler.SchedulerActor;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This test JVM as a member of the cluster under test, with role "client": it never runs jobs or the scheduler,
 * and talks to the scheduler through its singleton proxy, as the API will.
 */
final class ClusterClient implements AutoCloseable {
    static final Duration PATIENCE = Duration.ofMinutes(3);

    /** A followed run's events, gathered until it completed. */
    record Followed(RunSummary summary, Map<Integer, SchedulerProtocol.AttemptCompleted> finals,
                    Map<JobAttempt, String> nodeOfAttempt) {
    }

    private final ActorTestKit kit;
    private final ActorRef<SchedulerProtocol.Command> scheduler;

    ClusterClient(ClusterNodes nodes, int workers) throws Exception {
        kit = ActorTestKit.create(ClusterNodes.CLUSTER, ConfigFactory.load(ClusterTls.open(TestCertificates.node())
                .arterySettings().withFallback(ConfigFactory.parseString(String.join("\n",
                "pekko.remote.artery.canonical.port = 0",
                "pekko.cluster.roles = [client]",
                "pekko.coordinated-shutdown.exit-jvm = off",
                "pekko.actor.testkit.typed.throw-on-shutdown-timeout = off",
                "pekko.cluster.seed-nodes = [\"pekko://" + ClusterNodes.CLUSTER + "@" + nodes.address(0) + "\"]")))
                .withFallback(ConfigFactory.defaultApplication())));
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        while (workersUp() < workers) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("workers did not come up; node 0 said:\n" + Files.readString(nodes.log(0)));
            }
            Thread.sleep(200);
        }
        scheduler = SchedulerActor.initSingleton(kit.system());
    }

    /** How many members the cluster has, in any state. */
    long members() {
        return StreamSupport.stream(Cluster.get(kit.system()).state().getMembers().spliterator(), false).count();
    }

    long workersUp() {
        return StreamSupport.stream(Cluster.get(kit.system()).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up() && m.hasRole("worker")).count();
    }

    SchedulerProtocol.SubmitReply submit(RunSpec spec) {
        TestProbe<SchedulerProtocol.SubmitReply> replies = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.SubmitRun(spec, replies.getRef()));
        return replies.receiveMessage(PATIENCE);
    }

    /** Submits a run and starts following it; the scheduler sees both in this order. */
    TestProbe<SchedulerProtocol.RunEvent> submitAndFollow(RunSpec spec) {
        TestProbe<SchedulerProtocol.SubmitReply> replies = kit.createTestProbe();
        TestProbe<SchedulerProtocol.RunEvent> events = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.SubmitRun(spec, replies.getRef()));
        scheduler.tell(new SchedulerProtocol.FollowRun(spec.runId(), events.getRef()));
        assertEquals(new SchedulerProtocol.Accepted(spec.runId(), false), replies.receiveMessage(PATIENCE));
        return events;
    }

    /** Reads a followed run's events until it completes; fails if a job gets two final results. */
    static Followed awaitCompletion(TestProbe<SchedulerProtocol.RunEvent> events) {
        Map<Integer, SchedulerProtocol.AttemptCompleted> finals = new HashMap<>();
        Map<JobAttempt, String> nodeOfAttempt = new HashMap<>();
        while (true) {
            SchedulerProtocol.RunEvent event = events.receiveMessage(PATIENCE);
            if (event instanceof SchedulerProtocol.RunCompleted completed) {
                return new Followed(completed.summary(), finals, nodeOfAttempt);
            } else if (event instanceof SchedulerProtocol.ShardStarted started) {
                started.attempts().forEach(attempt -> nodeOfAttempt.put(attempt, started.node()));
            } else if (event instanceof SchedulerProtocol.AttemptCompleted completed && completed.status().isFinal()) {
                int job = completed.attempt().job();
                assertTrue(finals.put(job, completed) == null, "job " + job + " has two final results");
            }
        }
    }

    Optional<RunSummary> summary(String runId) {
        return summary(runId, PATIENCE);
    }

    private Optional<RunSummary> summary(String runId, Duration wait) {
        TestProbe<SchedulerProtocol.RunReply> reply = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.GetRun(runId, reply.getRef()));
        return reply.receiveMessage(wait) instanceof SchedulerProtocol.RunFound found
                ? Optional.of(found.summary()) : Optional.empty();
    }

    /** Asks about a run until some scheduler answers. */
    void awaitAnswer(String runId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        while (System.currentTimeMillis() < deadline) {
            try {
                summary(runId, Duration.ofSeconds(1));
                return;
            } catch (AssertionError unanswered) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no scheduler answered");
    }

    /**
     * Polls the run until it is finished. This survives a scheduler failover, which followers do not: a question
     * that reached the old scheduler as it stopped goes unanswered, so each one waits only a few seconds.
     */
    RunSummary awaitFinished(String runId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        Optional<RunSummary> summary = Optional.empty();
        while (System.currentTimeMillis() < deadline) {
            try {
                summary = summary(runId, Duration.ofSeconds(5));
                if (summary.isPresent() && summary.get().finished()) {
                    return summary.get();
                }
            } catch (AssertionError unanswered) {
                // asked during the handover; ask again
            }
            Thread.sleep(500);
        }
        throw new AssertionError("run " + runId + " did not finish: " + summary);
    }

    /**
     * Waits until {@code agents} workers are up and the scheduler knows their agents: up in the cluster is not yet
     * known to the scheduler, which learns of an agent from its first report.
     */
    void awaitAgents(int agents) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        while (workersUp() < agents || agentsKnownToScheduler() < agents) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the scheduler knows " + agentsKnownToScheduler() + " of " + agents
                        + " agents");
            }
            Thread.sleep(200);
        }
    }

    /** The node agents the scheduler knows, as it reports them. */
    int agentsKnownToScheduler() {
        TestProbe<SchedulerProtocol.ClusterReply> reply = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.GetCluster(reply.getRef()));
        return ((SchedulerProtocol.ClusterState) reply.receiveMessage(PATIENCE)).nodes().size();
    }

    /** Cancels a run as an admin would. */
    RunSummary cancel(String runId) {
        TestProbe<SchedulerProtocol.RunReply> reply = kit.createTestProbe();
        scheduler.tell(new SchedulerProtocol.CancelRun(runId, "admin", true, reply.getRef()));
        return ((SchedulerProtocol.RunFound) reply.receiveMessage(PATIENCE)).summary();
    }

    @Override
    public void close() {
        kit.shutdownTestKit();
    }
}
