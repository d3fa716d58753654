package io.flotilla.deploy;

import io.flotilla.ci.GitFixture;
import io.flotilla.ci.StubForge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * {@code bench/run webhooks}: how long a signed GitHub push delivery waits for its answer (verified, journaled by the
 * CI inbox, answered {@code 202}), for DELIVERIES deliveries of new commits at IN_FLIGHT at once, on an embedded node
 * with its H2 journal; and, in the same run at the same concurrency, {@code GET /healthz}, which touches neither the
 * journal nor an actor, as the floor. Each commit is a real one of a git repository served by its {@code file://}
 * URL, with one suite of one command, and the time from its delivery to its first {@code pending} status at a
 * stand-in GitHub API (the commit fetched, packed and stored, its file read) is measured too. It prints percentiles
 * and never fails on speed.
 *
 * <p>Arguments: [DELIVERIES [IN_FLIGHT]], default 200 and 20.
 */
public final class WebhooksBenchmark {
    private WebhooksBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int deliveries = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createTempDirectory("flotilla-webhooks-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService senders = Executors.newFixedThreadPool(inFlight);
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        List<String> commits = new ArrayList<>();
        for (int i = 0; i < deliveries; i++) {
            commits.add(origin.commit(Map.of(".flotilla.yml", "suites: [{name: smoke, kind: commands, targets: "
                    + "[\"true\"]}]\n", "VERSION", i + "\n")));
        }
        // the warm-up's deliveries all ask for this one commit, so that they start one pipeline, not hundreds
        String warmUp = origin.commit(Map.of("VERSION", "warm-up\n"));
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        try (StubForge forge = new StubForge(); EmbeddedCluster cluster = EmbeddedCluster.start(1, Map.of(
                "flotilla.ci.repositories-file", WebhookDeliveries.registration(dir, origin.cloneUrl(), forge.url(),
                        "none").toString()))) {
            IntFunction<HttpRequest> delivery = i -> {
                String sha = i < deliveries ? commits.get(i) : warmUp;
                sentAt.putIfAbsent(sha, System.nanoTime());
                return WebhookDeliveries.github(cluster.url(), "push", "bench-" + i, WebhookDeliveries.push(sha))
                        .build();
            };
            IntFunction<HttpRequest> health = i -> HttpRequest.newBuilder(URI.create(cluster.url() + "/healthz"))
                    .build();
            timed(http, senders, deliveries, i -> delivery.apply(deliveries + i), 202); // warm-up
            timed(http, senders, deliveries, health, 200);
            List<Long> acks = timed(http, senders, deliveries, delivery, 202);
            List<Long> floor = timed(http, senders, deliveries, health, 200);
            List<Long> pending = toPending(forge, commits, sentAt);
            System.out.printf(Locale.ROOT, "webhook delivery to 202, %d deliveries, %d in flight: p50 %.1f ms, "
                    + "p99 %.1f ms, max %.1f ms%n", deliveries, inFlight, ms(acks, 50), ms(acks, 99), ms(acks, 100));
            System.out.printf(Locale.ROOT, "GET /healthz in the same run: p50 %.1f ms, p99 %.1f ms%n", ms(floor, 50),
                    ms(floor, 99));
            System.out.printf(Locale.ROOT, "webhook delivery to its first pending status: p50 %.1f ms, p99 %.1f ms, "
                    + "max %.1f ms%n", ms(pending, 50), ms(pending, 99), ms(pending, 100));
            System.out.printf(Locale.ROOT, "RESULT webhook_ack_vs_healthz_p99 %.2f%n", ms(acks, 99) / ms(floor, 99));
            System.out.printf(Locale.ROOT, "RESULT webhook_ack_p99_ms %.0f%n", ms(acks, 99));
            System.out.printf(Locale.ROOT, "RESULT webhook_to_pending_p99_ms %.0f%n", ms(pending, 99));
        } finally {
            senders.shutdownNow();
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    /** For each commit, the time from the start of its delivery to its first pending status, sorted. */
    private static List<Long> toPending(StubForge forge, List<String> commits, Map<String, Long> sentAt)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            Map<String, Long> firstPending = new HashMap<>();
            for (StubForge.Call call : forge.calls()) {
                if (call.body().contains("\"state\":\"pending\"")) {
                    firstPending.putIfAbsent(call.path().substring(call.path().lastIndexOf('/') + 1), call.atNanos());
                }
            }
            if (firstPending.keySet().containsAll(commits)) {
                List<Long> waits = new ArrayList<>();
                commits.forEach(sha -> waits.add(firstPending.get(sha) - sentAt.get(sha)));
                Collections.sort(waits);
                return waits;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + firstPending.size() + " of " + commits.size()
                        + " commits got a pending status within 5 min");
            }
            Thread.sleep(100);
        }
    }

    /** Sends {@code count} requests, {@code inFlight} at once; each one's wait for its answer, in nanoseconds. */
    private static List<Long> timed(HttpClient http, ExecutorService senders, int count,
                                    IntFunction<HttpRequest> request, int expected) throws Exception {
        List<Future<Long>> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int index = i;
            waits.add(senders.submit(() -> {
                HttpRequest built = request.apply(index);
                long start = System.nanoTime();
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                long took = System.nanoTime() - start;
                if (response.statusCode() != expected) {
                    throw new IllegalStateException(built.uri() + " answered " + response.statusCode() + ": "
                            + response.body());
                }
                return took;
            }));
        }
        List<Long> nanos = new ArrayList<>();
        for (Future<Long> wait : waits) {
            nanos.add(wait.get());
        }
        Collections.sort(nanos);
        return nanos;
    }

    private static double ms(List<Long> sorted, int percentile) {
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}
