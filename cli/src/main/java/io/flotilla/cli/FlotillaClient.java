package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import io.flotilla.protocol.layer.BlobBatch;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The REST API from the client's side. A refusal becomes an {@link ApiException} with the server's message; a
 * cluster that cannot be reached, or whose scheduler stays away through a few retries, becomes an
 * {@link UnreachableException}. A 503 (the scheduler moving to another node) is retried for up to a minute.
 */
final class FlotillaClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HANDOVER_PATIENCE = Duration.ofMinutes(1);
    private static final int MISSING_BATCH = 10_000;

    private final String baseUrl;
    private final String token;
    private final HttpClient http;

    /** @param trust what to check an https cluster's certificate against; null for the machine's usual trust */
    FlotillaClient(String baseUrl, String token, SSLContext trust) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        this.http = (trust == null ? builder : builder.sslContext(trust)).build();
    }

    String baseUrl() {
        return baseUrl;
    }

    /** Submits a run; returns its id. */
    String submit(ObjectNode run, String idempotencyKey) {
        HttpRequest.Builder request = request("/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(run.toString()));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return json(request).get("runId").asText();
    }

    JsonNode run(String runId) {
        return json(request("/v1/runs/" + encode(runId)).GET());
    }

    /** The runs the webhooks started for a repository's commit ({@code GET /v1/runs?repo=&sha=}). */
    JsonNode commitRuns(String repository, String sha, String forge) {
        return json(request("/v1/runs?repo=" + encode(repository) + "&sha=" + encode(sha)
                + (forge == null ? "" : "&forge=" + encode(forge))).GET());
    }

    JsonNode cancel(String runId) {
        return json(request("/v1/runs/" + encode(runId)).DELETE());
    }

    JsonNode cluster() {
        return json(request("/v1/cluster").GET());
    }

    /** Every job of the run in {@code state} (all when null), page after page. */
    List<JsonNode> jobs(String runId, String state) {
        List<JsonNode> jobs = new ArrayList<>();
        int from = 0;
        while (from >= 0) {
            JsonNode page = json(request("/v1/runs/" + encode(runId) + "/jobs?from=" + from
                    + (state == null ? "" : "&state=" + state)).GET());
            page.get("jobs").forEach(jobs::add);
            from = page.get("next").isNull() ? -1 : page.get("next").asInt();
        }
        return jobs;
    }

    /** One job of the run, if the run has it. */
    Optional<JsonNode> job(String runId, int job) {
        JsonNode page = json(request("/v1/runs/" + encode(runId) + "/jobs?from=" + job + "&limit=1").GET());
        return page.get("jobs").isEmpty() || page.get("jobs").get(0).get("job").asInt() != job ? Optional.empty()
                : Optional.of(page.get("jobs").get(0));
    }

    /** The run's results, one JSON line per job, as the server streams them. */
    InputStream results(String runId) {
        return stream("/v1/runs/" + encode(runId) + "/results.ndjson");
    }

    /**
     * One stream ({@code stdout} or {@code stderr}) of a job's latest attempt, whole; with {@code follow}, on until
     * the job ends.
     */
    InputStream output(String runId, int job, String stream, boolean follow) {
        return stream(outputPath(runId, job, stream) + "&follow=" + follow);
    }

    /** One stream of one attempt of a job, whole, as text. */
    String attemptOutput(String runId, int job, int attempt, String stream) {
        try (InputStream in = stream(outputPath(runId, job, stream) + "&attempt=" + attempt)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnreachableException("lost the connection to " + baseUrl + ": " + e.getMessage(), e);
        }
    }

    private static String outputPath(String runId, int job, String stream) {
        return "/v1/jobs/" + encode(runId) + ":" + job + "/output?stream=" + stream;
    }

    private InputStream stream(String path) {
        HttpResponse<InputStream> response = send(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                throw refusal(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UnreachableException("lost the connection to " + baseUrl + ": " + e.getMessage(), e);
            }
        }
        return response.body();
    }

    /** Whether the cluster has this blob. */
    boolean hasBlob(String digest) {
        return send(request("/v1/blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** Those of the digests the cluster lacks, asked in batches the API takes. */
    List<String> missingBlobs(List<String> digests) {
        List<String> missing = new ArrayList<>();
        for (int from = 0; from < digests.size(); from += MISSING_BATCH) {
            ObjectNode question = JSON.createObjectNode();
            digests.subList(from, Math.min(digests.size(), from + MISSING_BATCH))
                    .forEach(question.putArray("digests")::add);
            json(request("/v1/blobs/missing").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(question.toString())))
                    .path("missing").forEach(digest -> missing.add(digest.asText()));
        }
        return missing;
    }

    /** A file to upload as a blob: what it was when its digest and size were taken. */
    record FileBlob(String digest, Path file, long size) {
    }

    /**
     * Uploads the files as blobs in one streamed request ({@code POST /v1/blobs/batch}), each under its digest, read
     * one after another as the body goes out. Each sends exactly its {@code size} bytes, cut or padded with zeros if
     * the file changed since, so the batch stays well formed and the cluster refuses the changed file by its digest
     * ({@link ApiException} 422).
     */
    void putBlobs(List<FileBlob> files) {
        Iterator<FileBlob> next = files.iterator();
        Enumeration<InputStream> parts = new Enumeration<>() {
            private InputStream pendingFile;

            @Override
            public boolean hasMoreElements() {
                return pendingFile != null || next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                if (pendingFile != null) {
                    InputStream file = pendingFile;
                    pendingFile = null;
                    return file;
                }
                FileBlob blob = next.next();
                try {
                    pendingFile = BlobBatch.exactly(Files.newInputStream(blob.file()), blob.size(), true);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("cannot read " + blob.file(), e);
                }
                return new java.io.ByteArrayInputStream(BlobBatch.header(blob.digest(), blob.size()));
            }
        };
        json(request("/v1/blobs/batch").header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(parts))));
    }

    void putBlob(String digest, Path file) {
        try {
            json(request("/v1/blobs/" + digest).PUT(HttpRequest.BodyPublishers.ofFile(file)));
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private JsonNode json(HttpRequest.Builder request) {
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) {
            throw refusal(response.statusCode(), response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("the server answered with something that is not JSON: "
                    + response.body(), e);
        }
    }

    private static ApiException refusal(int status, String body) {
        try {
            JsonNode error = JSON.readTree(body);
            return new ApiException(status, error.path("error").asText(body), error.path("field").asText(null));
        } catch (IOException notJson) {
            return new ApiException(status, body, null);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> handler) {
        long giveUpAt = System.nanoTime() + HANDOVER_PATIENCE.toNanos();
        HttpRequest built = request.build();
        try {
            while (true) {
                HttpResponse<T> response = http.send(built, handler);
                if (response.statusCode() != 503 || System.nanoTime() > giveUpAt) {
                    if (response.statusCode() == 503) {
                        throw new UnreachableException("the cluster at " + baseUrl + " has had no scheduler for "
                                + HANDOVER_PATIENCE.toSeconds() + " s", null);
                    }
                    return response;
                }
                Thread.sleep(1000);
            }
        } catch (ConnectException e) {
            throw new UnreachableException("no cluster answers at " + baseUrl, e);
        } catch (IOException e) {
            throw new UnreachableException("lost the connection to " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted", e);
        }
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }
}
