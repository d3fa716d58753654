package io.flotilla.protocol.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.CrossNode;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.suite.SuiteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every message that crosses a node survives the wire unchanged, through Kryo, with serialize-messages on. */
class KryoSerializerTest {
    private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on").withFallback(ConfigFactory.load()));

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    /** One instance of every message class, with every field set to something other than its default. */
    private static List<CrossNode> everyMessage() {
        ActorRef<SchedulerProtocol.Command> scheduler = kit.<SchedulerProtocol.Command>createTestProbe().getRef();
        ActorRef<NodeAgentProtocol.Command> agent = kit.<NodeAgentProtocol.Command>createTestProbe().getRef();
        ContainerSpec spec = ContainerSpec.builder("pytest", "-q", "tests/test_io.py")
                .layer(new Layer.HostPath("/srv/project", "/src"))
                .layer(new Layer.Tar("sha256:" + "ab".repeat(32), "/"))
                .env("SEED", "42").workdir("/src").network(NetworkMode.LOOPBACK).writable(true).hostname("job-1")
                .stdinFile("/srv/input")
                .limits(new Limits(64 * Limits.MIB, 64, 1500, Duration.ofSeconds(30), Duration.ZERO, Limits.MIB))
                .build();
        ContainerSpec shareable = new ContainerSpec(spec.command(), spec.layers(), spec.env(), spec.workdir(),
                spec.network(), spec.limits(), spec.writable(), spec.hostname(), null);
        RunSpec run = new RunSpec("run-1", "ann", 3, 2, List.of(shareable, shareable), List.of(10L, 20L), 2, 5, 1);
        JobAttempt attempt = new JobAttempt("run-1", 1, 2);
        JobResult result = new JobResult(JobResult.Outcome.TIMED_OUT, 3, 9, "timed out", Duration.ofMillis(1500),
                Duration.ofMillis(700), 123_456, new JobResult.OutputSummary(2048, 1024),
                new JobResult.OutputSummary(10, 10), true);
        RunSummary summary = new RunSummary("run-1", "ann", 2, 0, 1, 1, 0, 0, false);
        SuiteSpec suite = new SuiteSpec(SuiteSpec.Kind.PYTEST, "pytest:/src", List.of("tests/"), List.of("*io*"),
                List.of("re:.*slow.*"), "not net", SuiteSpec.Isolation.SHARD, 20, 3, false);
        RunSpec suiteRun = new RunSpec("run-4", "ann", 0, 2, List.of(shareable), null, 1, 0, 1, suite, null);
        RunSummary suiteSummary = new RunSummary("run-4", "ann", 2, 1, 0, 1, 0, 0, false, false,
                "the ctest listing failed", List.of("Off.Test"));
        return List.of(
                new SchedulerProtocol.SubmitRun(run, kit.<SchedulerProtocol.SubmitReply>createTestProbe().getRef()),
                new SchedulerProtocol.SubmitRun(suiteRun, kit.<SchedulerProtocol.SubmitReply>createTestProbe()
                        .getRef()),
                new SchedulerProtocol.RunFound(suiteSummary),
                new SchedulerProtocol.JobsFound("run-4", List.of(new SchedulerProtocol.JobView(0, JobStatus.PASSED, 2,
                        result, "", List.of("a.py::t1", "a.py::t2"), List.of(new SchedulerProtocol.EarlierAttempt(1,
                        result)))), -1),
                new SchedulerProtocol.CancelRun("run-1", kit.<SchedulerProtocol.RunReply>createTestProbe().getRef()),
                new SchedulerProtocol.GetRun("run-1", kit.<SchedulerProtocol.RunReply>createTestProbe().getRef()),
                new SchedulerProtocol.FollowRun("run-1", kit.<SchedulerProtocol.RunEvent>createTestProbe().getRef()),
                new SchedulerProtocol.AgentStatus("node-a", agent, 7, List.of(attempt)),
                new SchedulerProtocol.AttemptFinished("node-a", attempt, result, "AssertionError: 1 != 2\n"),
                new SchedulerProtocol.Accepted("run-1", true),
                new SchedulerProtocol.Rejected("run-1", "jobs", "a run needs at least one job"),
                new SchedulerProtocol.RunFound(summary),
                new SchedulerProtocol.RunNotFound("run-2"),
                new SchedulerProtocol.ShardStarted("run-1", "node-a", List.of(attempt)),
                new SchedulerProtocol.AttemptCompleted("run-1", attempt, result, JobStatus.FAILED, "tail"),
                new SchedulerProtocol.RunCompleted("run-1", summary),
                new SchedulerProtocol.RunUnknown("run-3"),
                new SchedulerProtocol.FollowRunEvents("run-1", "e1f2", 41, kit.<SchedulerProtocol.NumberedEvent>
                        createTestProbe().getRef()),
                new SchedulerProtocol.StreamRestarted("run-1"),
                new SchedulerProtocol.NumberedEvent("e1f2", 42, new SchedulerProtocol.RunCompleted("run-1", summary)),
                new SchedulerProtocol.GetJobs("run-1", JobStatus.FAILED, 500, 100,
                        kit.<SchedulerProtocol.JobsReply>createTestProbe().getRef()),
                new SchedulerProtocol.GetCluster(kit.<SchedulerProtocol.ClusterReply>createTestProbe().getRef()),
                new SchedulerProtocol.JobsFound("run-1", List.of(new SchedulerProtocol.JobView(3, JobStatus.FAILED, 2,
                        result, "assert 1 == 2\n"), new SchedulerProtocol.JobView(4, JobStatus.RUNNING, 1, null, "")), 5),
                new SchedulerProtocol.ClusterState(List.of(new SchedulerProtocol.NodeView("node-a", 3, 5)), 1000, 5,
                        77, new SchedulerProtocol.LatencyHistogram(List.of(10L, 100L), List.of(3L, 4L), 250, 5)),
                new NodeAgentProtocol.RunShard(17, List.of(attempt), List.of(spec), true, 0, false, scheduler),
                new NodeAgentProtocol.KillAttempts(List.of(attempt)),
                new NodeAgentProtocol.FindBlob("sha256:" + "cd".repeat(32),
                        kit.<NodeAgentProtocol.Reply>createTestProbe().getRef()),
                new NodeAgentProtocol.BlobLocation("sha256:" + "cd".repeat(32),
                        "http://10.0.0.7:8600/v1/blobs/sha256:" + "cd".repeat(32)),
                new NodeAgentProtocol.FindOutput(attempt, kit.<NodeAgentProtocol.Reply>createTestProbe().getRef()),
                new NodeAgentProtocol.CopyOutput(attempt, "http://10.0.0.7:8600/v1/outputs/run-1/3.1."
                        + "ab".repeat(16), kit.<NodeAgentProtocol.Reply>createTestProbe().getRef()),
                new NodeAgentProtocol.OutputLocation(attempt, "http://10.0.0.7:8600/v1/outputs/run-1/3.1."
                        + "ab".repeat(16), true),
                new NodeAgentProtocol.OutputLocation(attempt, null, false),
                new NodeAgentProtocol.OutputCopied(attempt, null),
                new NodeAgentProtocol.OutputCopied(attempt, "HTTP 404"));
    }

    @Test
    void everyMessageClassIsRegisteredAndSampled() {
        Set<Class<?>> messageClasses = new java.util.HashSet<>();
        for (Class<?> sealed : List.of(SchedulerProtocol.Command.class, SchedulerProtocol.SubmitReply.class,
                SchedulerProtocol.RunReply.class, SchedulerProtocol.RunEvent.class, NodeAgentProtocol.Command.class,
                SchedulerProtocol.JobsReply.class, SchedulerProtocol.ClusterReply.class,
                SchedulerProtocol.StreamReply.class,
                NodeAgentProtocol.Reply.class)) {
            for (Class<?> message : sealed.getPermittedSubclasses()) {
                if (NoSerializationVerificationNeeded.class.isAssignableFrom(message)) {
                    continue; // a node's messages to itself
                }
                assertTrue(KryoRegistrations.isRegistered(message), message + " is not registered");
                messageClasses.add(message);
            }
        }
        assertEquals(messageClasses, everyMessage().stream().map(Object::getClass).collect(Collectors.toSet()),
                "the round-trip test samples every message class");
    }

    @Test
    void everyMessageRoundTripsThroughKryo() throws Exception {
        Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
        for (CrossNode message : everyMessage()) {
            Serializer serializer = serialization.findSerializerFor(message);
            assertInstanceOf(KryoSerializer.class, serializer, message.getClass().getName());
            byte[] bytes = serializer.toBinary(message);
            assertEquals(message, ((JSerializer) serializer).fromBinary(bytes, message.getClass()),
                    message.getClass().getName());
        }
    }

    @Test
    void messagesSentBetweenActorsArriveEqualWithSerializeMessagesOn() {
        TestProbe<CrossNode> probe = kit.createTestProbe();
        List<CrossNode> sent = new ArrayList<>(everyMessage());
        sent.forEach(probe.getRef()::tell);
        for (CrossNode message : sent) {
            assertEquals(message, probe.receiveMessage());
        }
    }
}
