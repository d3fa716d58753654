package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.layer.LayerTree;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.testsupport.TcpGate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * Real clusters: server nodes in JVMs of their own on loopback, started from the built distribution, sharing an H2
 * journal; this JVM joins as a client that submits and follows runs through the scheduler's singleton proxy.
 */
class ClusterIT {
    private static boolean failsOnPurpose(int job) {
        return job % 33 == 5 && job < 990;
    }

    private static long processesWithArgument(String argument) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(args -> List.of(args).contains(argument)).orElse(false)).count();
    }

    @Test
    void threeNodesRunAThousandJobsWithThirtyFailuresEachWithOneFinalResult() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(3)) {
            nodes.startAll(3);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                List<ContainerSpec> jobs = IntStream.range(0, 1000).mapToObj(i -> failsOnPurpose(i)
                        ? ContainerSpec.builder("sh", "-c", "echo failing " + i + " >&2; exit 7").build()
                        : ContainerSpec.builder("echo", "job", Integer.toString(i)).build()).toList();
                assertEquals(30, IntStream.range(0, 1000).filter(ClusterIT::failsOnPurpose).count());

                ClusterClient.Followed run = ClusterClient.awaitCompletion(client.submitAndFollow(
                        new RunSpec("thousand", "ann", 0, 0, jobs, null)));

                assertEquals(new RunSummary("thousand", "ann", 1000, 0, 0, 970, 30, 0, false), run.summary());
                assertEquals(1000, run.finals().size());
                run.finals().forEach((job, completed) -> {
                    if (failsOnPurpose(job)) {
                        assertEquals(JobStatus.FAILED, completed.status());
                        assertEquals(7, completed.result().exitCode());
                        assertEquals("failing " + job + "\n", completed.outputTail());
                    } else {
                        assertEquals(JobStatus.PASSED, completed.status(), completed.toString());
                        assertEquals("job " + job + "\n", completed.outputTail());
                    }
                });
                assertEquals(Set.of(nodes.address(0), nodes.address(1), nodes.address(2)),
                        new HashSet<>(run.nodeOfAttempt().values()), "all three nodes did work");
                assertEquals(run.summary(), client.summary("thousand").orElseThrow());
            }
        }
    }

    @Test
    void badInputGetsAClearRejectionAndTheSchedulerKeepsWorking() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(2)) {
            nodes.startAll(2);
            try (ClusterClient client = new ClusterClient(nodes, 2)) {
                ContainerSpec ok = ContainerSpec.builder("true").build();
                assertEquals("a run needs at least one job", assertThrows(InvalidSpecException.class,
                        () -> new RunSpec("empty", "ann", 0, 0, List.of(), null)).getMessage());
                assertEquals("a job needs a program to run", assertThrows(InvalidSpecException.class,
                        () -> ContainerSpec.builder(List.of()).build()).getMessage());
                assertEquals("limits.memory", assertThrows(InvalidSpecException.class,
                        () -> Limits.DEFAULT.withMemoryBytes(1L << 62)).field());

                String digest = "sha256:" + "ef".repeat(32);
                ClusterClient.Followed unknownLayer = ClusterClient.awaitCompletion(client.submitAndFollow(new RunSpec(
                        "unknown-layer", "ann", 0, 0, List.of(ContainerSpec.builder("true")
                        .layer(new Layer.Tar(digest, "/data")).build()), null)));
                assertEquals(1, unknownLayer.summary().failed());
                assertEquals("layer " + digest + " is on no node of the cluster (asked 1 other node for 10 s)",
                        unknownLayer.finals().get(0).result().message());

                client.submitAndFollow(new RunSpec("twice", "ann", 0, 0, List.of(ok), null));
                assertEquals(new SchedulerProtocol.Rejected("twice", "runId",
                        "run id twice was already used for a different run"),
                        client.submit(new RunSpec("twice", "ann", 0, 0, List.of(ok, ok), null)));

                RunSpec huge = new RunSpec("hundred-thousand", "ann", 0, 0, Collections.nCopies(100_000,
                        ContainerSpec.builder("true").build()), null);
                long submitted = System.currentTimeMillis();
                assertEquals(new SchedulerProtocol.Accepted("hundred-thousand", false), client.submit(huge));
                System.out.println("a run of 100,000 jobs was accepted in " + (System.currentTimeMillis() - submitted)
                        + " ms");
                assertEquals(100_000, client.cancel("hundred-thousand").total());

                ClusterClient.Followed after = ClusterClient.awaitCompletion(client.submitAndFollow(new RunSpec(
                        "still-working", "ann", 0, 0, Collections.nCopies(10, ok), null)));
                assertEquals(10, after.summary().passed());
            }
        }
    }

    @Test
    void aLayerUploadedToOneNodeIsFetchedOverHttpByTheOthers() throws Exception {
        Path tree = Files.createTempDirectory("flotilla-layer-");
        Files.createDirectories(tree.resolve("greeting"));
        Files.writeString(tree.resolve("greeting/hello.txt"), "hello from a layer\n");
        Path tar = tree.resolve("layer.tar");
        assertEquals(0, new ProcessBuilder("tar", "-cf", tar.toString(), "-C", tree.toString(), "greeting")
                .inheritIO().start().waitFor());
        byte[] bytes = Files.readAllBytes(tar);
        String digest = digestOf(bytes);
        try {
            runOnEveryNode(Map.of(digest, bytes), ContainerSpec.builder("cat", "/greeting/hello.txt")
                    .layer(new Layer.Tar(digest, "/")).build(), "hello from a layer\n", digest);
        } finally {
            new ProcessBuilder("rm", "-rf", tree.toString()).start().waitFor();
        }
    }

    /** A layer tree's files are uploaded to one node; the others fetch the tree and its files, and assemble it. */
    @Test
    void aLayerTreeUploadedToOneNodeIsAssembledByTheOthersFromItsFiles() throws Exception {
        Path tree = Files.createTempDirectory("flotilla-tree-");
        Files.createDirectories(tree.resolve("greeting"));
        Files.writeString(tree.resolve("greeting/hello.txt"), "hello from a tree\n");
        Files.writeString(tree.resolve("greeting/again.txt"), "hello from a tree\n");
        Files.createSymbolicLink(tree.resolve("greeting/link.txt"), Path.of("hello.txt"));
        LayerTree layer = LayerTree.of(tree);
        byte[] bytes = layer.toBytes();
        String digest = digestOf(bytes);
        String file = layer.fileDigests().iterator().next();
        try {
            runOnEveryNode(Map.of(file, Files.readAllBytes(tree.resolve("greeting/hello.txt")), digest, bytes),
                    ContainerSpec.builder("cat", "/data/greeting/again.txt", "/data/greeting/link.txt")
                            .layer(new Layer.Tar(digest, "/data")).build(), "hello from a tree\nhello from a tree\n",
                    file);
        } finally {
            new ProcessBuilder("rm", "-rf", tree.toString()).start().waitFor();
        }
    }

    private static String digestOf(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * Uploads the blobs to the first of three nodes only, then runs 60 copies of the job: every node runs some, each
     * prints {@code output}, and the two others then serve the blob {@code fetched}, which they fetched.
     */
    private static void runOnEveryNode(Map<String, byte[]> blobs, ContainerSpec job, String output, String fetched)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (ClusterNodes nodes = new ClusterNodes(3)) {
            nodes.startAll(2);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                nodes.awaitHttp(0);
                client.awaitAgents(3); // else the first agents to report may run all the jobs
                for (Map.Entry<String, byte[]> blob : blobs.entrySet()) {
                    HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(URI.create(nodes.httpUrl(0)
                            + "/v1/blobs/" + blob.getKey())).PUT(HttpRequest.BodyPublishers.ofByteArray(
                            blob.getValue())).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(201, uploaded.statusCode(), uploaded.body());
                }
                ClusterClient.Followed run = ClusterClient.awaitCompletion(client.submitAndFollow(new RunSpec(
                        "layered", "ann", 0, 0, Collections.nCopies(60, job), null)));

                assertEquals(60, run.summary().passed(), run.finals().values().stream()
                        .filter(done -> done.status() != JobStatus.PASSED).findFirst().toString());
                run.finals().values().forEach(done -> assertEquals(output, done.outputTail()));
                assertEquals(Set.of(nodes.address(0), nodes.address(1), nodes.address(2)),
                        new HashSet<>(run.nodeOfAttempt().values()), "the nodes without the layer ran jobs too");
                for (int node = 1; node < 3; node++) {
                    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(nodes.httpUrl(node)
                            + "/v1/blobs/" + fetched)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.discarding());
                    assertEquals(200, head.statusCode(), "node " + node + " fetched " + fetched + " and serves it");
                }
            }
        }
    }

    @Test
    void aJobsWholeOutputIsServedLiveThroughAnyNodeAndOutlivesTheNodeThatRanIt() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String printed = IntStream.rangeClosed(1, 30_000).mapToObj(i -> i + "\n").collect(Collectors.joining());
        try (ClusterNodes nodes = new ClusterNodes(3); TcpGate gate = new TcpGate()) {
            nodes.startAll(2);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                // 3 nodes take 2 running and 2 queued jobs each: all 12 are sent at once and held by the gate.
                List<ContainerSpec> jobs = IntStream.range(0, 12).mapToObj(i -> ContainerSpec.builder("bash", "-c",
                        "seq 1 30000; echo err-" + i + " >&2; " + gate.waitCommand() + "; echo end")
                        .network(NetworkMode.HOST).build()).toList();
                TestProbe<SchedulerProtocol.RunEvent> events = client.submitAndFollow(
                        new RunSpec("printing", "ann", 0, 0, jobs, null));
                Map<Integer, String> nodeOfJob = new java.util.HashMap<>();
                while (nodeOfJob.size() < 12) {
                    if (events.receiveMessage(ClusterClient.PATIENCE) instanceof SchedulerProtocol.ShardStarted s) {
                        s.attempts().forEach(attempt -> nodeOfJob.put(attempt.job(), s.node()));
                    }
                }
                int onNode2 = jobsOn(nodeOfJob, nodes.address(2)).get(0);
                nodes.awaitHttp(0);
                nodes.awaitHttp(1);
                // Through node 0, read what a job running on node 1 printed so far (its queued jobs have no output).
                long giveUpAt = System.currentTimeMillis() + ClusterClient.PATIENCE.toMillis();
                String outputUrl = null;
                while (outputUrl == null && System.currentTimeMillis() < giveUpAt) {
                    for (int job : jobsOn(nodeOfJob, nodes.address(1))) {
                        String url = nodes.httpUrl(0) + "/v1/jobs/printing:" + job + "/output";
                        HttpResponse<String> soFar = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (soFar.statusCode() == 200 && soFar.body().equals(printed)) {
                            outputUrl = url;
                            break;
                        }
                    }
                    Thread.sleep(100);
                }
                assertTrue(outputUrl != null, "node 0 serves what a job running on node 1 printed so far");
                java.util.concurrent.CompletableFuture<HttpResponse<String>> followed = http.sendAsync(
                        HttpRequest.newBuilder(URI.create(outputUrl + "?follow=true")).build(),
                        HttpResponse.BodyHandlers.ofString());
                Thread.sleep(1000);
                assertTrue(!followed.isDone(), "a followed output stays open while its job runs");
                gate.open();
                assertEquals(printed + "end\n", followed.get(60, java.util.concurrent.TimeUnit.SECONDS).body(),
                        "the followed output ends with the job");

                assertEquals(12, ClusterClient.awaitCompletion(events).summary().passed());
                nodes.process(2).destroyForcibly().waitFor();
                HttpResponse<String> kept = http.send(HttpRequest.newBuilder(URI.create(nodes.httpUrl(0)
                        + "/v1/jobs/printing:" + onNode2 + "/output")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, kept.statusCode(), kept.body());
                assertEquals(printed + "end\n", kept.body(), "a copy outlived node 2, which ran the job");
                assertEquals("err-" + onNode2 + "\n", http.send(HttpRequest.newBuilder(URI.create(nodes.httpUrl(1)
                        + "/v1/jobs/printing:" + onNode2 + "/output?stream=stderr")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                HttpResponse<String> noSuchAttempt = http.send(HttpRequest.newBuilder(URI.create(nodes.httpUrl(0)
                        + "/v1/jobs/printing:0/output?attempt=2")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, noSuchAttempt.statusCode());
                assertEquals("{\"error\":\"job printing:0 has had 1 attempt\",\"field\":\"attempt\"}",
                        noSuchAttempt.body());
            }
        }
    }

    private static List<Integer> jobsOn(Map<Integer, String> nodeOfJob, String node) {
        List<Integer> jobs = nodeOfJob.entrySet().stream().filter(e -> e.getValue().equals(node))
                .map(Map.Entry::getKey).sorted().toList();
        assertTrue(!jobs.isEmpty(), node + " runs none of " + nodeOfJob);
        return jobs;
    }

    @Test
    void killingANonSingletonNodeMidRunLosesNoJobAndRunsItsWorkElsewhere() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(3)) {
            nodes.startAll(3);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                List<ContainerSpec> jobs = Collections.nCopies(150, ContainerSpec.builder("sleep", "0.5").build());
                TestProbe<SchedulerProtocol.RunEvent> events = client.submitAndFollow(
                        new RunSpec("survivor", "ann", 0, 0, jobs, null));
                String victim = nodes.address(2);
                // Wait until the victim runs work, then kill -9 it.
                List<SchedulerProtocol.RunEvent> early = new ArrayList<>();
                while (early.stream().noneMatch(e -> e instanceof SchedulerProtocol.ShardStarted s
                        && s.node().equals(victim))) {
                    early.add(events.receiveMessage(ClusterClient.PATIENCE));
                }
                nodes.process(2).destroyForcibly();

                ClusterClient.Followed run = ClusterClient.awaitCompletion(events);
                assertEquals(150, run.summary().passed(), run.summary().toString());
                assertEquals(150 - early.stream().filter(e -> e instanceof SchedulerProtocol.AttemptCompleted c
                        && c.status().isFinal()).count(), run.finals().size());
                Map<JobAttempt, String> nodeOf = new java.util.HashMap<>(run.nodeOfAttempt());
                early.stream().filter(e -> e instanceof SchedulerProtocol.ShardStarted).forEach(e ->
                        ((SchedulerProtocol.ShardStarted) e).attempts().forEach(a ->
                                nodeOf.put(a, ((SchedulerProtocol.ShardStarted) e).node())));
                List<JobAttempt> rerun = nodeOf.keySet().stream().filter(a -> a.attempt() > 1).toList();
                assertTrue(!rerun.isEmpty(), "the dead node's unfinished jobs ran again");
                for (JobAttempt attempt : rerun) {
                    assertNotEquals(victim, nodeOf.get(attempt), "ran again elsewhere: " + attempt);
                }
            }
        }
    }

    @Test
    void killingTheSingletonsNodeFailsOverAndTheRestartedNodeRejoinsAndGetsWork() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(3)) {
            nodes.startOldestFirst(3);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                List<ContainerSpec> jobs = Collections.nCopies(120, ContainerSpec.builder("sleep", "0.5").build());
                TestProbe<SchedulerProtocol.RunEvent> events = client.submitAndFollow(
                        new RunSpec("failover", "ann", 0, 0, jobs, null));
                events.receiveMessage(ClusterClient.PATIENCE); // work has started

                long killedAt = System.currentTimeMillis();
                nodes.process(0).destroyForcibly(); // kill -9
                client.awaitAnswer("failover");
                long failover = System.currentTimeMillis() - killedAt;
                RunSummary summary = client.awaitFinished("failover");
                System.out.println("kill -9 of the scheduler's node: a new scheduler answered after " + failover
                        + " ms; the run finished " + (System.currentTimeMillis() - killedAt) + " ms after the kill");
                assertEquals(new RunSummary("failover", "ann", 120, 0, 0, 120, 0, 0, false), summary);

                nodes.start(0, 3); // the same address, a new incarnation
                client.awaitAgents(3);
                ClusterClient.Followed again = ClusterClient.awaitCompletion(client.submitAndFollow(new RunSpec(
                        "after-restart", "ann", 0, 0, Collections.nCopies(60, ContainerSpec.builder("sleep", "0.2")
                        .build()), null)));
                assertEquals(60, again.summary().passed());
                assertTrue(again.nodeOfAttempt().containsValue(nodes.address(0)), "the restarted node got work");
            }
        }
    }

    @Test
    void cancellingARunWithTwoHundredRunningJobsLeavesNoJobProcessWithinFiveSeconds() throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(3)) {
            nodes.startAll(70);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                String marker = "1000." + System.nanoTime() % 1_000_000;
                List<ContainerSpec> jobs = Collections.nCopies(400, ContainerSpec.builder("sleep", marker).build());
                client.submitAndFollow(new RunSpec("cancelled", "ann", 0, 0, jobs, null));
                long deadline = System.currentTimeMillis() + ClusterClient.PATIENCE.toMillis();
                while (processesWithArgument(marker) < 200 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                long running = processesWithArgument(marker);
                assertTrue(running >= 200, "only " + running + " jobs ever ran at once");

                long cancelledAt = System.currentTimeMillis();
                RunSummary summary = client.cancel("cancelled");
                assertEquals(400, summary.cancelled());
                while (processesWithArgument(marker) > 0 && System.currentTimeMillis() - cancelledAt < 5000) {
                    Thread.sleep(50);
                }
                long took = System.currentTimeMillis() - cancelledAt;
                System.out.println("cancel of " + running + " running jobs on 3 nodes: no job process left after "
                        + took + " ms");
                assertEquals(0, processesWithArgument(marker), "job processes outlived the cancel by 5 s");
            }
        }
    }

    @Test
    void sigtermToTheSingletonsNodeLeavesGracefullyAndTheRunCompletesElsewhereFromAPostgresJournal()
            throws Exception {
        try (ClusterNodes nodes = new ClusterNodes(3, PostgresTestJournal::start)) {
            nodes.startOldestFirst(3);
            try (ClusterClient client = new ClusterClient(nodes, 3)) {
                List<ContainerSpec> jobs = Collections.nCopies(120, ContainerSpec.builder("sleep", "0.3").build());
                TestProbe<SchedulerProtocol.RunEvent> events = client.submitAndFollow(
                        new RunSpec("handover", "ann", 0, 0, jobs, null));
                events.receiveMessage(ClusterClient.PATIENCE); // work has started
                // A client follows the run's event stream through node 2 while the scheduler moves.
                nodes.awaitHttp(2);
                java.util.concurrent.CompletableFuture<List<String>> sse = HttpClient.newHttpClient().sendAsync(
                        HttpRequest.newBuilder(URI.create(nodes.httpUrl(2) + "/v1/runs/handover/events")).build(),
                        HttpResponse.BodyHandlers.ofLines()).thenApplyAsync(response -> response.body().toList());

                long terminatedAt = System.currentTimeMillis();
                nodes.process(0).destroy(); // SIGTERM
                assertTrue(nodes.process(0).waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
                client.awaitAnswer("handover");
                long handover = System.currentTimeMillis() - terminatedAt;
                RunSummary summary = client.awaitFinished("handover");
                long finished = System.currentTimeMillis() - terminatedAt;
                System.out.println("graceful leave of the scheduler's node: a new scheduler answered after " + handover
                        + " ms, the run finished after " + finished + " ms");
                assertEquals(120, summary.passed(), summary.toString());
                assertTrue(java.nio.file.Files.readString(nodes.log(0)).contains("Exiting completed"),
                        "node 0 left the cluster gracefully");
                assertTrue(handover < 20_000, "the scheduler moved without waiting for the split brain resolver");
                assertEquals(2, client.workersUp());
                assertTrue(((PostgresTestJournal) nodes.journal()).journaledEvents() > 0,
                        "the scheduler journaled to PostgreSQL");
                List<String> streamed = sse.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(streamed.contains("event:restarted"), "the new scheduler restarted the stream: "
                        + streamed.stream().filter(line -> line.startsWith("event")).distinct().toList());
                assertTrue(streamed.contains("event:completed") && streamed.stream().anyMatch(line ->
                        line.startsWith("data:") && line.contains("\"passed\":120")),
                        "the stream went on to the run's end: " + streamed.subList(Math.max(0, streamed.size() - 8),
                                streamed.size()));
            }
        }
    }
}
