package io.flotilla.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxConfig;
import io.flotilla.testsupport.TcpGate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The node agent with a real sandbox; the scheduler is a test probe, and every message is serialized. */
class NodeAgentIT {
    private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.load(ConfigFactory.parseString(
            "pekko.actor.serialize-messages = on\nflotilla.node-agent.report-interval = 200ms\n"
                    + "flotilla.node-agent.layer-search = 1s\nflotilla.node-agent.queue-ahead-per-slot = 0")));
    private static final Path dataDir = createDataDir();
    private static final Sandbox sandbox = openSandbox();
    private static final OutputStore outputs = openOutputs();
    private static final NodeFiles files = new NodeFiles(sandbox.layers().blobs(), outputs, new StorageSettings(
            Duration.ofDays(1), 1L << 30, Duration.ofDays(1), 1L << 30, 0, Duration.ofMinutes(1)), dataDir);

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("flotilla-agent-test-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Sandbox openSandbox() {
        try {
            return Sandbox.open(new SandboxConfig(dataDir, SandboxConfig.NOBODY, SandboxConfig.NOBODY));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OutputStore openOutputs() {
        try {
            return new OutputStore(dataDir.resolve("outputs"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void shutdown() throws Exception {
        kit.shutdownTestKit();
        sandbox.close();
        new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
    }

    private static Map<JobAttempt, SchedulerProtocol.AttemptFinished> results(
            TestProbe<SchedulerProtocol.Command> scheduler, int count) {
        Map<JobAttempt, SchedulerProtocol.AttemptFinished> results = new HashMap<>();
        while (results.size() < count) {
            SchedulerProtocol.Command message = scheduler.receiveMessage(Duration.ofSeconds(30));
            if (message instanceof SchedulerProtocol.AttemptFinished finished) {
                assertTrue(results.put(finished.attempt(), finished) == null, "reported once: " + finished);
            } else {
                assertTrue(((SchedulerProtocol.AgentStatus) message).freeSlots() >= 0);
            }
        }
        return results;
    }

    @Test
    void runsEachAttemptOfAShardAndReportsItsResultWithTheEndOfItsOutput() {
        TestProbe<SchedulerProtocol.Command> scheduler = kit.createTestProbe();
        ActorRef<NodeAgentProtocol.Command> agent = kit.spawn(NodeAgent.create("node-a", 1, sandbox, files,
                scheduler.getRef(), null, new PeerHttp(null)));
        List<JobAttempt> attempts = List.of(new JobAttempt("r", 0, 1), new JobAttempt("r", 1, 1),
                new JobAttempt("r", 2, 1), new JobAttempt("r", 3, 1));
        agent.tell(new NodeAgentProtocol.RunShard(1, attempts, List.of(
                ContainerSpec.builder("echo", "fine").build(),
                ContainerSpec.builder("sh", "-c", "echo expected 2 got 3 >&2; exit 3").build(),
                ContainerSpec.builder("no-such-program").build(),
                ContainerSpec.builder("true").layer(new Layer.Tar("sha256:" + "cd".repeat(32), "/data")).build()),
                false, 0, false, scheduler.getRef()));

        Map<JobAttempt, SchedulerProtocol.AttemptFinished> results = results(scheduler, 4);
        assertTrue(results.get(attempts.get(0)).result().succeeded());
        assertEquals("fine\n", results.get(attempts.get(0)).outputTail());
        assertEquals(3, results.get(attempts.get(1)).result().exitCode());
        assertEquals("expected 2 got 3\n", results.get(attempts.get(1)).outputTail());
        assertEquals(Outcome.LAUNCH_ERROR, results.get(attempts.get(2)).result().outcome());
        assertEquals(Outcome.LAUNCH_ERROR, results.get(attempts.get(3)).result().outcome());
        String message = results.get(attempts.get(3)).result().message();
        assertTrue(message.matches(
                "layer sha256:(cd){32} is on no node of the cluster \\(asked \\d+ other nodes? for 1 s\\)"), message);
    }

    @Test
    void anAttemptsWholeOutputCanBeReadWhileItRunsAndIsKeptAfterItEnds() throws Exception {
        try (TcpGate gate = new TcpGate()) {
            TestProbe<SchedulerProtocol.Command> scheduler = kit.createTestProbe();
            ActorRef<NodeAgentProtocol.Command> agent = kit.spawn(NodeAgent.create("node-e", 1, sandbox, files,
                    scheduler.getRef(), "http://127.0.0.1:8600", new PeerHttp(null)));
            JobAttempt attempt = new JobAttempt("o", 0, 1);
            agent.tell(new NodeAgentProtocol.RunShard(5, List.of(attempt), List.of(ContainerSpec.builder("bash", "-c",
                    "seq 1 20000; echo to stderr >&2; " + gate.waitCommand() + "; echo last")
                    .network(NetworkMode.HOST).build()), false, 0, false, scheduler.getRef()));
            String all = java.util.stream.IntStream.rangeClosed(1, 20000).mapToObj(i -> i + "\n")
                    .collect(java.util.stream.Collectors.joining());

            AttemptOutput live = awaitOutput(attempt, all.length() + "to stderr\n".length());
            assertTrue(!live.isEnded());
            assertEquals(all, new String(live.read(AttemptOutput.Stream.STDOUT, 0, 1 << 20)));
            TestProbe<NodeAgentProtocol.Reply> asker = kit.createTestProbe();
            agent.tell(new NodeAgentProtocol.FindOutput(attempt, asker.getRef()));
            assertEquals(new NodeAgentProtocol.OutputLocation(attempt, "http://127.0.0.1:8600/v1/outputs/o/"
                    + live.name(), true), asker.receiveMessage(Duration.ofSeconds(30)));
            gate.open();

            SchedulerProtocol.AttemptFinished finished = results(scheduler, 1).get(attempt);
            assertTrue(finished.result().succeeded(), finished.toString());
            assertTrue(finished.outputTail().length() < 10_000, "only the end travels with the result");
            AttemptOutput kept = outputs.find(attempt).orElseThrow();
            assertTrue(kept.isEnded());
            assertEquals(all + "last\n", new String(kept.read(AttemptOutput.Stream.STDOUT, 0, 1 << 20)));
            assertEquals("to stderr\n", new String(kept.read(AttemptOutput.Stream.STDERR, 0, 1 << 20)));
            assertEquals("20000\nlast\n", new String(kept.read(AttemptOutput.Stream.STDOUT, all.length() - 6, 100)));
            agent.tell(new NodeAgentProtocol.FindOutput(attempt, asker.getRef()));
            assertEquals(new NodeAgentProtocol.OutputLocation(attempt, "http://127.0.0.1:8600/v1/outputs/o/"
                    + kept.name(), false), asker.receiveMessage(Duration.ofSeconds(30)));
            agent.tell(new NodeAgentProtocol.FindOutput(new JobAttempt("o", 0, 2), asker.getRef()));
            assertEquals(new NodeAgentProtocol.OutputLocation(new JobAttempt("o", 0, 2), null, false),
                    asker.receiveMessage(Duration.ofSeconds(30)));
        }
    }

    private static AttemptOutput awaitOutput(JobAttempt attempt, long bytes) throws Exception {
        long giveUpAt = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < giveUpAt) {
            java.util.Optional<AttemptOutput> output = outputs.find(attempt);
            if (output.isPresent() && output.get().size() >= bytes) {
                return output.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no output of " + bytes + " bytes for " + attempt + " within 30 s");
    }

    @Test
    void killingAnAttemptEndsItsProcessesAndItIsReportedCancelled() {
        TestProbe<SchedulerProtocol.Command> scheduler = kit.createTestProbe();
        ActorRef<NodeAgentProtocol.Command> agent = kit.spawn(NodeAgent.create("node-b", 2, sandbox, files,
                scheduler.getRef(), null, new PeerHttp(null)));
        JobAttempt attempt = new JobAttempt("k", 0, 1);
        agent.tell(new NodeAgentProtocol.RunShard(2, List.of(attempt), List.of(
                ContainerSpec.builder("sleep", "1000.424242").build()), false, 0, false, scheduler.getRef()));
        scheduler.fishForMessage(Duration.ofSeconds(30), message -> message
                instanceof SchedulerProtocol.AgentStatus status && status.running().contains(attempt)
                && status.freeSlots() == 1 && processExists("1000.424242")
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
        agent.tell(new NodeAgentProtocol.KillAttempts(List.of(attempt)));
        SchedulerProtocol.AttemptFinished finished = results(scheduler, 1).get(attempt);
        assertEquals(Outcome.CANCELLED, finished.result().outcome());
        assertTrue(!processExists("1000.424242"), "the job's process is gone");
    }

    @Test
    void aSharedContainerRunsItsAttemptsOneAfterAnotherEachWithItsOwnCommandAndResult() throws Exception {
        TestProbe<SchedulerProtocol.Command> scheduler = kit.createTestProbe();
        ActorRef<NodeAgentProtocol.Command> agent = kit.spawn(NodeAgent.create("node-c", 1, sandbox, files,
                scheduler.getRef(), null, new PeerHttp(null)));
        Limits limits = Limits.DEFAULT.withOutputLimitBytes(1000);
        List<ContainerSpec> specs = List.of(
                ContainerSpec.builder("sh", "-c", "echo from the first job > /tmp/shared; echo first").limits(limits)
                        .build(),
                ContainerSpec.builder("sh", "-c", "cat /tmp/shared; exit 4").limits(limits).build(),
                ContainerSpec.builder("no-such-program").limits(limits).build(),
                ContainerSpec.builder("sleep", "30").limits(limits.withTimeout(Duration.ofMillis(500))).build(),
                ContainerSpec.builder("sh", "-c", "echo $FOO; pwd").env("FOO", "bar").workdir("/tmp").limits(limits)
                        .build(),
                ContainerSpec.builder("head", "-c", "100000", "/dev/zero").limits(limits).build(),
                ContainerSpec.builder("sh", "-c", "kill -SEGV $$").limits(limits).build());
        List<JobAttempt> attempts = java.util.stream.IntStream.range(0, specs.size())
                .mapToObj(job -> new JobAttempt("s", job, 1)).toList();
        agent.tell(new NodeAgentProtocol.RunShard(3, attempts, specs, true, 0, false, scheduler.getRef()));

        Map<JobAttempt, SchedulerProtocol.AttemptFinished> results = results(scheduler, specs.size());
        assertEquals("first\n", results.get(attempts.get(0)).outputTail());
        assertTrue(results.get(attempts.get(0)).result().succeeded());
        assertEquals("from the first job\n", results.get(attempts.get(1)).outputTail(),
                "the second job sees the first one's /tmp: they share the container");
        assertEquals(4, results.get(attempts.get(1)).result().exitCode());
        assertEquals(Outcome.LAUNCH_ERROR, results.get(attempts.get(2)).result().outcome());
        assertEquals("program not found: no-such-program: No such file or directory",
                results.get(attempts.get(2)).result().message());
        assertEquals(Outcome.TIMED_OUT, results.get(attempts.get(3)).result().outcome());
        assertEquals("bar\n/tmp\n", results.get(attempts.get(4)).outputTail());
        assertEquals(new JobResult.OutputSummary(100_000, 1000), results.get(attempts.get(5)).result().stdout());
        assertEquals("bar\n/tmp\n", new String(outputs.find(attempts.get(4)).orElseThrow()
                .read(AttemptOutput.Stream.STDOUT, 0, 100)), "each attempt of a shared container keeps its output");
        assertEquals(1000, outputs.find(attempts.get(5)).orElseThrow().size());
        assertEquals(Outcome.SIGNALED, results.get(attempts.get(6)).result().outcome());
        assertEquals(11, results.get(attempts.get(6)).result().signal());
    }

    @Test
    void killingAnAttemptOfASharedContainerEndsTheContainerAndEveryAttemptInIt() {
        TestProbe<SchedulerProtocol.Command> scheduler = kit.createTestProbe();
        ActorRef<NodeAgentProtocol.Command> agent = kit.spawn(NodeAgent.create("node-d", 1, sandbox, files,
                scheduler.getRef(), null, new PeerHttp(null)));
        List<JobAttempt> attempts = List.of(new JobAttempt("t", 0, 1), new JobAttempt("t", 1, 1));
        agent.tell(new NodeAgentProtocol.RunShard(4, attempts, List.of(
                ContainerSpec.builder("sleep", "1000.434343").build(),
                ContainerSpec.builder("sleep", "1000.434343").build()), true, 0, false, scheduler.getRef()));
        scheduler.fishForMessage(Duration.ofSeconds(30), message -> message
                instanceof SchedulerProtocol.AgentStatus status && status.running().containsAll(attempts)
                && status.freeSlots() == 0 && processExists("1000.434343")
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
        agent.tell(new NodeAgentProtocol.KillAttempts(List.of(attempts.get(0))));
        Map<JobAttempt, SchedulerProtocol.AttemptFinished> results = results(scheduler, 2);
        assertEquals(Outcome.CANCELLED, results.get(attempts.get(0)).result().outcome());
        assertEquals(Outcome.CANCELLED, results.get(attempts.get(1)).result().outcome());
        assertTrue(!processExists("1000.434343"), "the container's processes are gone");
    }

    private static boolean processExists(String argument) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments().map(List::of)
                .map(args -> args.contains(argument)).orElse(false));
    }
}
