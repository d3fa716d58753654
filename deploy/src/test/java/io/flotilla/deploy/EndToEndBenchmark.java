package io.flotilla.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxConfig;
import io.flotilla.sandbox.SandboxJob;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench/run end-to-end}: what the whole path costs over the bare sandbox. JOBS {@code /bin/true} jobs go as
 * one run through the REST API of an embedded single-node cluster (journal, scheduler, node agent, sandbox), timed
 * from the POST until the API reports the run finished; in the same process the same number run straight through a
 * sandbox, as many at once as the node has slots; and the same run again through a node with TLS material that
 * serves HTTPS. It prints the rates and never fails on speed.
 *
 * <p>Arguments: [JOBS [SLOTS]], default 5000 and the machine's processors.
 */
public final class EndToEndBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 2;

    private EndToEndBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int slots = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Path dataDir = Files.createTempDirectory("flotilla-bench-");
        Path certs = dataDir.resolve("certs");
        ClusterCertificates.createAuthority(certs.resolve("ca"), "Flotilla benchmark CA", 1);
        ClusterCertificates.issue(certs.resolve("ca"), certs.resolve("node"), "127.0.0.1", List.of("127.0.0.1"), 1);
        HttpClient plain = HttpClient.newHttpClient();
        HttpClient checking = HttpClient.newBuilder().sslContext(ClusterTls.open(certs.resolve("node")).sslContext())
                .build();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(slots);
             EmbeddedCluster tls = EmbeddedCluster.start(slots, Map.of("flotilla.tls.dir",
                     certs.resolve("node").toString(), "flotilla.http.https", "on"));
             Sandbox sandbox = Sandbox.open(new SandboxConfig(dataDir.resolve("raw"), SandboxConfig.NOBODY,
                     SandboxConfig.NOBODY))) {
            ExecutorService pool = Executors.newFixedThreadPool(slots);
            // Warm up every path (JIT, journal tables, cgroups, TLS sessions) before timing any.
            rawSeconds(sandbox, pool, jobs / 10, slots);
            endToEndSeconds(plain, cluster, jobs / 10);
            endToEndSeconds(checking, tls, jobs / 10);
            // Taking turns, so that a noisy machine's drift hits every way alike.
            double raw = 0;
            double endToEnd = 0;
            double overTls = 0;
            for (int round = 0; round < ROUNDS; round++) {
                raw += rawSeconds(sandbox, pool, jobs, slots) / ROUNDS;
                endToEnd += endToEndSeconds(plain, cluster, jobs) / ROUNDS;
                overTls += endToEndSeconds(checking, tls, jobs) / ROUNDS;
            }
            pool.shutdown();
            System.out.printf(Locale.ROOT, "jobs: %d of /bin/true each way, %d slots, %d rounds%n", jobs, slots,
                    ROUNDS);
            System.out.printf(Locale.ROOT, "raw sandbox:                       %8.1f jobs/s%n", jobs / raw);
            System.out.printf(Locale.ROOT, "REST API to last result:           %8.1f jobs/s%n", jobs / endToEnd);
            System.out.printf(Locale.ROOT, "REST API to last result, TLS on:   %8.1f jobs/s%n", jobs / overTls);
            System.out.printf(Locale.ROOT, "RESULT e2e_vs_raw_sandbox %.2f%n", raw / endToEnd);
            System.out.printf(Locale.ROOT, "RESULT e2e_tls_vs_raw_sandbox %.2f%n", raw / overTls);
        } finally {
            new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
        }
    }

    private static double rawSeconds(Sandbox sandbox, ExecutorService pool, int jobs, int inFlight)
            throws Exception {
        ContainerSpec spec = ContainerSpec.builder("/bin/true").build();
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(jobs);
        for (int worker = 0; worker < inFlight; worker++) {
            workers.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    SandboxJob job = sandbox.start(spec);
                    if (!job.result().join().succeeded()) {
                        throw new IllegalStateException("sandboxed /bin/true failed: " + job.result().join());
                    }
                    job.output().delete();
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double endToEndSeconds(HttpClient http, EmbeddedCluster cluster, int jobs) throws Exception {
        String body = "{\"jobs\": [" + "{\"command\": [\"/bin/true\"]},".repeat(jobs - 1)
                + "{\"command\": [\"/bin/true\"]}]}";
        long start = System.nanoTime();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/v1/runs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("the run was refused: " + accepted.body());
        }
        String runId = JSON.readTree(accepted.body()).get("runId").asText();
        while (true) {
            JsonNode run = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/v1/runs/"
                    + runId)).build(), HttpResponse.BodyHandlers.ofString()).body());
            if (!run.get("state").asText().equals("running")) {
                if (run.get("passed").asInt() != jobs) {
                    throw new IllegalStateException("not every job passed: " + run);
                }
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(20);
        }
    }
}
