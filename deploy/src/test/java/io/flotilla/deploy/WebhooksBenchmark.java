package io.flotilla.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * {@code bench/run webhooks}: how long a signed GitHub push delivery waits for its answer (verified, journaled by the
 * CI inbox, answered {@code 202}), for DELIVERIES deliveries of new commits at IN_FLIGHT at once, on an embedded node
 * with its H2 journal; and, in the same run at the same concurrency, {@code GET /healthz}, which touches neither the
 * journal nor an actor, as the floor. It prints percentiles and never fails on speed.
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
        try (EmbeddedCluster cluster = EmbeddedCluster.start(1, Map.of("flotilla.ci.repositories-file",
                WebhookDeliveries.registration(dir).toString()))) {
            IntFunction<HttpRequest> delivery = i -> WebhookDeliveries.github(cluster.url(), "push", "bench-" + i,
                    WebhookDeliveries.push(sha(i))).build();
            IntFunction<HttpRequest> health = i -> HttpRequest.newBuilder(URI.create(cluster.url() + "/healthz"))
                    .build();
            timed(http, senders, deliveries, i -> delivery.apply(deliveries + i), 202); // warm-up
            timed(http, senders, deliveries, health, 200);
            List<Long> acks = timed(http, senders, deliveries, delivery, 202);
            List<Long> floor = timed(http, senders, deliveries, health, 200);
            System.out.printf(Locale.ROOT, "webhook delivery to 202, %d deliveries, %d in flight: p50 %.1f ms, "
                    + "p99 %.1f ms, max %.1f ms%n", deliveries, inFlight, ms(acks, 50), ms(acks, 99), ms(acks, 100));
            System.out.printf(Locale.ROOT, "GET /healthz in the same run: p50 %.1f ms, p99 %.1f ms%n", ms(floor, 50),
                    ms(floor, 99));
            System.out.println("webhook_to_pending: not measured, the pipeline that reports statuses is not built");
            System.out.printf(Locale.ROOT, "RESULT webhook_ack_vs_healthz_p99 %.2f%n", ms(acks, 99) / ms(floor, 99));
            System.out.printf(Locale.ROOT, "RESULT webhook_ack_p99_ms %.0f%n", ms(acks, 99));
        } finally {
            senders.shutdownNow();
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    /** Sends {@code count} requests, {@code inFlight} at once; each one's wait for its answer, in nanoseconds. */
    private static List<Long> timed(HttpClient http, ExecutorService senders, int count,
                                    IntFunction<HttpRequest> request, int expected) throws Exception {
        List<Future<Long>> waits = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest built = request.apply(i);
            waits.add(senders.submit(() -> {
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

    private static String sha(int i) {
        return HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(20).putInt(0, 0x5eed).putInt(16, i).array());
    }
}
