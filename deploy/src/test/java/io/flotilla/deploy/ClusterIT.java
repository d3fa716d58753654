package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.scheduler.SchedulerActor;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Real clusters: server nodes in JVMs of their own on loopback, and this JVM joined as a client (role "client",
 * never running jobs or the scheduler) that submits runs through the scheduler's singleton proxy and follows them.
 */
class ClusterIT {
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    private static ActorTestKit client(ClusterNodes nodes) {
        return ActorTestKit.create(ClusterNodes.CLUSTER, ConfigFactory.load(ConfigFactory.parseString(String.join("\n",
                "pekko.remote.artery.canonical.port = 0",
                "pekko.cluster.roles = [client]",
                "pekko.coordinated-shutdown.exit-jvm = off",
                "pekko.cluster.seed-nodes = [\"pekko://" + ClusterNodes.CLUSTER + "@" + nodes.address(0) + "\"]"))
                .withFallback(ConfigFactory.defaultApplication())));
    }

    private static void awaitWorkersUp(ActorTestKit client, int workers, ClusterNodes nodes) throws Exception {
        long deadline = System.currentTimeMillis() + PATIENCE.toMillis();
        while (System.currentTimeMillis() < deadline) {
            long up = java.util.stream.StreamSupport.stream(Cluster.get(client.system()).state().getMembers()
                    .spliterator(), false).filter(m -> m.status() == MemberStatus.up() && m.hasRole("worker")).count();
            if (up == workers) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("workers did not come up; node 0 said:\n" + Files.readString(nodes.log(0)));
    }

    @Test
    void threeNodesRunAThousandJobsWithThirtyFailuresEachWithOneFinalResult() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(3)) {
            for (int i = 0; i < 3; i++) {
                nodes.start(i, 3);
            }
            ActorTestKit client = client(nodes);
            try {
                awaitWorkersUp(client, 3, nodes);
                ActorRef<SchedulerProtocol.Command> scheduler = SchedulerActor.initSingleton(client.system());
                List<ContainerSpec> jobs = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    jobs.add(i % 33 == 5 && i < 990
                            ? ContainerSpec.builder("sh", "-c", "echo failing " + i + " >&2; exit 7").build()
                            : ContainerSpec.builder("echo", "job", Integer.toString(i)).build());
                }
                long failing = java.util.stream.IntStream.range(0, 1000).filter(i -> i % 33 == 5 && i < 990).count();
                assertEquals(30, failing);

                TestProbe<SchedulerProtocol.SubmitReply> replies = client.createTestProbe();
                TestProbe<SchedulerProtocol.RunEvent> events = client.createTestProbe();
                scheduler.tell(new SchedulerProtocol.SubmitRun(new RunSpec("thousand", "ann", 0, 0, jobs, null),
                        replies.getRef()));
                scheduler.tell(new SchedulerProtocol.FollowRun("thousand", events.getRef()));
                assertEquals(new SchedulerProtocol.Accepted("thousand", false), replies.receiveMessage(PATIENCE));

                Map<Integer, SchedulerProtocol.AttemptCompleted> finals = new HashMap<>();
                Set<String> workedNodes = new HashSet<>();
                SchedulerProtocol.RunEvent event = events.receiveMessage(PATIENCE);
                while (!(event instanceof SchedulerProtocol.RunCompleted)) {
                    if (event instanceof SchedulerProtocol.ShardStarted started) {
                        workedNodes.add(started.node());
                    } else if (event instanceof SchedulerProtocol.AttemptCompleted completed
                            && completed.status().isFinal()) {
                        int job = completed.attempt().job();
                        assertTrue(finals.put(job, completed) == null, "job " + job + " has two final results");
                    }
                    event = events.receiveMessage(PATIENCE);
                }
                RunSummary summary = ((SchedulerProtocol.RunCompleted) event).summary();
                assertEquals(new RunSummary("thousand", "ann", 1000, 0, 0, 970, 30, 0, false), summary);
                assertEquals(1000, finals.size());
                for (Map.Entry<Integer, SchedulerProtocol.AttemptCompleted> entry : finals.entrySet()) {
                    int job = entry.getKey();
                    SchedulerProtocol.AttemptCompleted completed = entry.getValue();
                    if (job % 33 == 5 && job < 990) {
                        assertEquals(JobStatus.FAILED, completed.status());
                        assertEquals(7, completed.result().exitCode());
                        assertEquals("failing " + job + "\n", completed.outputTail());
                    } else {
                        assertEquals(JobStatus.PASSED, completed.status(), completed.toString());
                        assertEquals("job " + job + "\n", completed.outputTail());
                    }
                }
                assertEquals(Set.of(nodes.address(0), nodes.address(1), nodes.address(2)), workedNodes,
                        "all three nodes did work");
                TestProbe<SchedulerProtocol.RunReply> reply = client.createTestProbe();
                scheduler.tell(new SchedulerProtocol.GetRun("thousand", reply.getRef()));
                assertEquals(summary, assertInstanceOf(SchedulerProtocol.RunFound.class,
                        reply.receiveMessage(PATIENCE)).summary());
            } finally {
                client.shutdownTestKit();
            }
        }
    }
}
