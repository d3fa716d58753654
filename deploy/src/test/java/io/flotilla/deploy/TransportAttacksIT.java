package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.RunSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * A stranger on the cluster's network, with the cluster's name and addresses but not a certificate from its
 * authority: it tries to join as a worker, to submit a run to the scheduler, and to hand a node agent a shard with
 * its own command, and gets nothing; the same attempt with the cluster's certificate works, so the test can tell.
 */
class TransportAttacksIT {
    private static final String SCHEDULER = "/system/singletonManagerflotilla-scheduler/flotilla-scheduler";

    @Test
    void withoutTheClustersCertificateNothingJoinsAndNothingIsHeard() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(2)) {
            nodes.startAll(1);
            try (ClusterClient client = new ClusterClient(nodes, 2)) {
                Config plain = ConfigFactory.parseMap(Map.of("pekko.remote.artery.transport", "tcp"));
                Config rogue = ClusterTls.open(TestCertificates.rogue()).arterySettings();
                for (Map.Entry<String, Config> attacker : Map.of("plain-tcp", plain, "rogue-ca", rogue).entrySet()) {
                    ActorTestKit kit = stranger(nodes, attacker.getValue());
                    try {
                        TestProbe<SchedulerProtocol.SubmitReply> replies = kit.createTestProbe();
                        String runId = "attack-" + attacker.getKey();
                        for (int node = 0; node < 2; node++) {
                            String address = "pekko://" + ClusterNodes.CLUSTER + "@" + nodes.address(node);
                            ActorRef<SchedulerProtocol.Command> scheduler = ActorRefResolver.get(kit.system())
                                    .resolveActorRef(address + SCHEDULER);
                            scheduler.tell(new SchedulerProtocol.SubmitRun(new RunSpec(runId, "mallory", 0, 0,
                                    List.of(ContainerSpec.builder("sh", "-c", "echo owned").build()), null),
                                    replies.getRef()));
                            ActorRef<NodeAgentProtocol.Command> agent = ActorRefResolver.get(kit.system())
                                    .resolveActorRef(address + "/system/node-agent");
                            agent.tell(new NodeAgentProtocol.RunShard(1, List.of(new JobAttempt(runId, 0, 1)),
                                    List.of(ContainerSpec.builder("sh", "-c", "echo owned").build()), false, 0, false,
                                    kit.<SchedulerProtocol.Command>createTestProbe().getRef()));
                        }
                        replies.expectNoMessage(Duration.ofSeconds(15));

                        assertTrue(client.summary(runId).isEmpty(), attacker.getKey() + " got a run in");
                        assertEquals(2, client.agentsKnownToScheduler(), attacker.getKey() + " got an agent in");
                        assertTrue(!Cluster.get(kit.system()).selfMember().status().equals(MemberStatus.up()),
                                attacker.getKey() + " joined the cluster");
                        assertEquals(3, client.members(), "two nodes and this test's client, no one else");
                    } finally {
                        kit.shutdownTestKit();
                    }
                }
                ActorTestKit member = stranger(nodes, ClusterTls.open(TestCertificates.node()).arterySettings());
                try {
                    long deadline = System.currentTimeMillis() + ClusterClient.PATIENCE.toMillis();
                    while (!Cluster.get(member.system()).selfMember().status().equals(MemberStatus.up())) {
                        assertTrue(System.currentTimeMillis() < deadline, "with the cluster's certificate it joins");
                        Thread.sleep(200);
                    }
                } finally {
                    member.shutdownTestKit();
                }
            }
        }
    }

    /** An actor system of the cluster's name that tries to join it through node 0, as a worker. */
    private static ActorTestKit stranger(ClusterNodes nodes, Config transport) {
        return ActorTestKit.create(ClusterNodes.CLUSTER, ConfigFactory.load(transport.withFallback(
                ConfigFactory.parseString(String.join("\n",
                        "pekko.remote.artery.canonical.port = 0",
                        "pekko.cluster.roles = [worker]",
                        "pekko.coordinated-shutdown.exit-jvm = off",
                        "pekko.actor.testkit.typed.throw-on-shutdown-timeout = off",
                        "pekko.cluster.seed-nodes = [\"pekko://" + ClusterNodes.CLUSTER + "@" + nodes.address(0)
                                + "\"]"))).withFallback(ConfigFactory.defaultApplication())));
    }

    @Test
    void theRestApiSpeaksOnlyHttpsWithTheClustersCertificateWhenAsked() throws Exception {
        Path work = Files.createTempDirectory("flotilla-https-");
        try (EmbeddedCluster cluster = EmbeddedCluster.start(1, Map.of("flotilla.tls.dir",
                TestCertificates.node().toString(), "flotilla.http.https", "on"))) {
            String url = cluster.url();
            assertTrue(url.startsWith("https://127.0.0.1:"), url);
            HttpClient trusting = HttpClient.newBuilder().sslContext(ClusterTls.open(TestCertificates.node())
                    .sslContext()).build();
            HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertThrows(SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(url + "/healthz")).build(), HttpResponse.BodyHandlers.ofString()),
                    "the machine's usual trust does not vouch for the cluster's authority");
            assertThrows(java.io.IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(url.replace("https:", "http:") + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()), "plain HTTP gets no answer");

            Distribution.Result cli = Distribution.flotilla(work, Map.of(), List.of("cluster", "--cluster", url,
                    "--ca", TestCertificates.authorityCertificate().toString()));
            assertEquals(0, cli.status(), cli.toString());
            Distribution.Result untrusted = Distribution.flotilla(work, Map.of(), List.of("cluster", "--cluster",
                    url));
            assertEquals(3, untrusted.status(), "without --ca the CLI cannot reach it: " + untrusted);
        } finally {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
        }
    }
}
