package io.flotilla.protocol.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.CrossNode;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.ci.CommitEvent;
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
import java.util.Map;
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
                .layer(new Layer.Tar("sha256:" + "ab".repeat(32), "/"))
                .layer(new Layer.Tar("sha256:" + "cd".repeat(32), "/src"))
                .env("SEED", "42").workdir("/src").network(NetworkMode.LOOPBACK).writable(true).hostname("job-1")
                .limits(new Limits(64 * Limits.MIB, 64, 1500, Duration.ofSeconds(30), Duration.ZERO, Limits.MIB))
                .build();
        ContainerSpec shareable = spec;
        RunSpec run = new RunSpec("run-1", "ann", 3, 2, List.of(shareable, shareable), List.of(10L, 20L), 2, 5, 1);
        JobAttempt attempt = new JobAttempt("run-1", 1, 2);
        JobResult result = new JobResult(JobResult.Outcome.TIMED_OUT, 3, 9, "timed out", Duration.ofMillis(1500),
                Duration.ofMillis(700), 123_456, new JobResult.OutputSummary(2048, 1024),
                new JobResult.OutputSummary(10, 10), true);
        RunSummary summary = new RunSummary("run-1", "ann", 2, 0, 1, 1, 0, 0, false);
        SuiteSpec suite = new SuiteSpec(SuiteSpec.Kind.PYTEST, "pytest:/src", List.of("tests/"), List.of("*io*"),
                List.of("re:.*slow.*"), "not net", SuiteSpec.Isolation.SHARD, 20, 3, false, null, List.of());
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
                new SchedulerProtocol.CancelRun("run-1", "bob", true,
                        kit.<SchedulerProtocol.RunReply>createTestProbe().getRef()),
                new SchedulerProtocol.CancelRefused("run-1", "ann"),
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
                new NodeAgentProtocol.OutputCopied(attempt, "HTTP 404"),
                new CiProtocol.RecordDelivery("72d3162e-cc78-11e3-81ab-4c9367dc0958", new CommitEvent("github",
                        "acme/widgets",
                        "ab".repeat(20), "refs/heads/main", CommitEvent.Trigger.PULL_REQUEST, 7, true),
                        kit.<CiProtocol.DeliveryReply>createTestProbe().getRef()),
                new CiProtocol.DeliveryRecorded("d-1", "github:acme/widgets@" + "ab".repeat(20), true),
                new CiProtocol.DeliverySeenBefore("d-1", "github:acme/widgets@" + "ab".repeat(20)),
                new CiProtocol.FindCommit("github", "acme/widgets", "ab".repeat(20),
                        kit.<CiProtocol.CommitFound>createTestProbe().getRef()),
                new CiProtocol.CommitFound(List.of(new CiProtocol.CommitRuns("github:acme/widgets@" + "ab".repeat(20),
                        false, true, "", List.of(new CiProtocol.SuiteRun("unit", "flotilla/unit", "ci-0123", true,
                        "pending"))))));
    }

    @Test
    void everyMessageClassIsRegisteredAndSampled() {
        Set<Class<?>> messageClasses = new java.util.HashSet<>();
        for (Class<?> sealed : List.of(SchedulerProtocol.Command.class, SchedulerProtocol.SubmitReply.class,
                SchedulerProtocol.RunReply.class, SchedulerProtocol.RunEvent.class, NodeAgentProtocol.Command.class,
                SchedulerProtocol.JobsReply.class, SchedulerProtocol.ClusterReply.class,
                SchedulerProtocol.StreamReply.class,
                NodeAgentProtocol.Reply.class, CiProtocol.Command.class, CiProtocol.DeliveryReply.class,
                CiProtocol.CommitReply.class)) {
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
    void aSpecNamingTheNodesOwnFilesNeverCrossesTheWire() {
        KryoSerializer serializer = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem)
                Adapter.toClassic(kit.system()));
        ContainerSpec hostPath = ContainerSpec.builder("cat", "/secret/shadow")
                .layer(new Layer.HostPath("/etc", "/secret")).build();
        ContainerSpec stdin = ContainerSpec.builder("cat").stdinFile("/etc/shadow").build();
        for (ContainerSpec spec : List.of(hostPath, stdin)) {
            var shard = new NodeAgentProtocol.RunShard(1, List.of(new JobAttempt("r-1", 0, 1)), List.of(spec), false,
                    0, false, kit.<SchedulerProtocol.Command>createTestProbe().getRef());
            KryoException refused = assertThrows(KryoException.class, () -> serializer.toBinary(shard));
            assertTrue(refused.getMessage().contains("never leaves the node"), refused.getMessage());
        }
    }

    /** A frame an attacker wrote, read by this node's serializer. */
    private static Object receive(Output frame) {
        KryoSerializer serializer = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem)
                Adapter.toClassic(kit.system()));
        return serializer.fromBinaryJava(frame.toBytes(), null);
    }

    private static Output frameOf(Class<?> type) {
        Output frame = new Output(64, -1);
        frame.writeVarInt(KryoRegistrations.FIRST_ID + KryoRegistrations.CLASSES.indexOf(type) + 2, true); // how Kryo writes a registered class
        return frame;
    }

    @Test
    void craftedFramesAreRefusedBeforeTheyAllocate() {
        long heapBefore = usedHeap();
        // A list that claims two billion elements in a frame of a few bytes.
        Output list = frameOf(ArrayList.class);
        list.writeVarInt(Integer.MAX_VALUE, true);
        list.writeBytes(new byte[8]);
        // A string (a run id) that claims two billion characters.
        Output string = frameOf(SchedulerProtocol.RunNotFound.class);
        string.writeVarIntFlag(true, Integer.MAX_VALUE, true);
        string.writeBytes(new byte[8]);
        // A map (a job's environment) that claims two billion entries.
        Output map = frameOf(Map.of().getClass());
        map.writeVarInt(Integer.MAX_VALUE, true);
        // Lists nested ten thousand deep, to exhaust the stack.
        Output deep = new Output(64, -1);
        for (int i = 0; i < 10_000; i++) {
            deep.writeVarInt(KryoRegistrations.FIRST_ID + KryoRegistrations.CLASSES.indexOf(ArrayList.class) + 2, true);
            deep.writeVarInt(2, true); // one element (Kryo writes a collection's size plus one)
        }
        for (Output frame : List.of(list, string, map, deep)) {
            KryoException refused = assertThrows(KryoException.class, () -> receive(frame));
            assertTrue(refused.getMessage().contains("refused") || refused.getMessage().contains("depth"),
                    refused.getMessage());
        }
        assertTrue(usedHeap() - heapBefore < 256L << 20, "the frames made this node allocate "
                + (usedHeap() - heapBefore) + " bytes");
    }

    @Test
    void aWellFormedStringAndCollectionStillReadBack() {
        Output frame = frameOf(SchedulerProtocol.RunNotFound.class);
        frame.writeString("r-\u00e9t\u00e9");
        assertEquals(new SchedulerProtocol.RunNotFound("r-\u00e9t\u00e9"), receive(frame));
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
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
