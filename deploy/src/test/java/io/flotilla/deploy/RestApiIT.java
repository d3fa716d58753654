package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runs API over real HTTP, against an embedded single-node cluster that runs real sandboxed jobs. */
class RestApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = EmbeddedCluster.start(2);
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
    }

    private record Answer(int status, JsonNode body) {
    }

    private static Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""),
                "every answer is JSON: " + response.body());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(cluster.url() + path));
    }

    private static Answer post(String body, String... headers) throws Exception {
        HttpRequest.Builder request = request("/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request);
    }

    private static Answer get(String path) throws Exception {
        return send(request(path));
    }

    /** Submits a run, expecting 202, and returns its id. */
    private static String submit(String body) throws Exception {
        Answer accepted = post(body);
        assertEquals(202, accepted.status(), accepted.body().toString());
        return accepted.body().get("runId").asText();
    }

    private static JsonNode awaitEnd(String runId) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            Answer run = get("/v1/runs/" + runId);
            assertEquals(200, run.status(), run.body().toString());
            if (!run.body().get("state").asText().equals("running")) {
                return run.body();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + runId + " did not end");
    }

    @Test
    void aSubmittedRunRunsToItsEndAndItsFailuresCanBeListed() throws Exception {
        String runId = submit("""
                {"jobs": [{"command": ["echo", "fine"]},
                          {"command": ["sh", "-c", "exit 3"], "memory": "64m", "timeout": "30s"},
                          {"command": ["true"], "env": {"A": "b"}, "workdir": "/tmp", "network": "loopback"}]}""");
        JsonNode run = awaitEnd(runId);
        assertEquals("failed", run.get("state").asText());
        assertEquals(List.of(3, 2, 1, 0), List.of(run.get("total").asInt(), run.get("passed").asInt(),
                run.get("failed").asInt(), run.get("cancelled").asInt()));

        JsonNode failed = get("/v1/runs/" + runId + "/jobs?state=failed").body();
        assertEquals(1, failed.get("jobs").size());
        JsonNode job = failed.get("jobs").get(0);
        assertEquals(1, job.get("job").asInt());
        assertEquals("exited", job.get("result").get("outcome").asText());
        assertEquals(3, job.get("result").get("exitCode").asInt());
        assertTrue(failed.get("next").isNull());
        assertEquals(3, get("/v1/runs/" + runId + "/jobs").body().get("jobs").size());
        assertEquals("fine\n", get("/v1/runs/" + runId + "/jobs?state=passed&limit=1").body().get("jobs").get(0)
                .get("output").asText());
    }

    @Test
    void resultsStreamAsOneJsonLinePerJobInJobOrder() throws Exception {
        String runId = submit("{\"batch\": {\"count\": 1200, \"maxParallel\": 2, \"seed\": 7, \"template\": "
                + "{\"command\": [\"sh\", \"-c\", \"echo $FLOTILLA_TASK_INDEX $FLOTILLA_SEED\"]}}}");
        assertEquals(1200, awaitEnd(runId).get("passed").asInt());
        HttpResponse<String> results = http.send(request("/v1/runs/" + runId + "/results.ndjson").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, results.statusCode());
        assertTrue(results.headers().firstValue("Content-Type").orElse("").startsWith("application/x-ndjson"));
        List<String> lines = results.body().lines().toList();
        assertEquals(1200, lines.size(), "three pages of jobs, one line each");
        java.util.Set<String> seeds = new java.util.HashSet<>();
        for (int index = 0; index < lines.size(); index++) {
            JsonNode line = JSON.readTree(lines.get(index));
            assertEquals(index, line.get("job").asInt());
            assertEquals("passed", line.get("state").asText());
            String[] output = line.get("output").asText().trim().split(" ");
            assertEquals(Integer.toString(index), output[0], "each copy saw its own index");
            seeds.add(output[1]);
        }
        assertEquals(1200, seeds.size(), "every copy had a seed of its own");
        assertEquals(404, get("/v1/runs/no-such-run/results.ndjson").status());
    }

    @Test
    void anIdempotencyKeyMakesResubmissionSafeAndADifferentBodyConflicts() throws Exception {
        String body = "{\"jobs\": [{\"command\": [\"true\"]}]}";
        Answer first = post(body, "Idempotency-Key", "build-4711");
        Answer again = post(body, "Idempotency-Key", "build-4711");
        assertEquals(202, first.status());
        assertEquals(202, again.status());
        assertEquals(first.body().get("runId"), again.body().get("runId"));
        assertFalse(first.body().get("duplicate").asBoolean());
        assertTrue(again.body().get("duplicate").asBoolean());

        Answer conflict = post("{\"jobs\": [{\"command\": [\"false\"]}]}", "Idempotency-Key", "build-4711");
        assertEquals(409, conflict.status());
        assertEquals("Idempotency-Key", conflict.body().get("field").asText());
        assertEquals("Idempotency-Key build-4711 was already used for a different run (" + first.body().get("runId")
                .asText() + ")", conflict.body().get("error").asText());
        assertNotEquals(first.body().get("runId"), post(body, "Idempotency-Key", "build-4712").body().get("runId"));
    }

    @Test
    void aRepeatStopsAtItsFirstFailure() throws Exception {
        String runId = submit("""
                {"maxParallel": 1, "repeat": {"count": 50, "stopAfterFailures": 1,
                 "job": {"command": ["sh", "-c", "[ $FLOTILLA_TASK_INDEX -ne 3 ]"]}}}""");
        JsonNode run = awaitEnd(runId);
        assertEquals("cancelled", run.get("state").asText());
        assertEquals(List.of(3, 1, 46), List.of(run.get("passed").asInt(), run.get("failed").asInt(),
                run.get("cancelled").asInt()), "jobs 0 to 2 passed, job 3 failed, the rest never ran");
    }

    @Test
    void aBatchGivesEveryCopyItsIndexAndSeed() throws Exception {
        String runId = submit("""
                {"batch": {"count": 20, "maxParallel": 2, "seed": 42, "template": {"command": ["sh", "-c",
                 "[ -n \\"$FLOTILLA_SEED\\" ] && [ $FLOTILLA_TASK_INDEX -ge 0 ] && [ $FLOTILLA_TASK_INDEX -lt 20 ]"]}}}""");
        JsonNode run = awaitEnd(runId);
        assertEquals("passed", run.get("state").asText(), run.toString());
        assertEquals(20, run.get("passed").asInt());
    }

    @Test
    void cancellingARunEndsItsJobs() throws Exception {
        String runId = submit("{\"jobs\": [{\"command\": [\"sleep\", \"600\"]}, {\"command\": [\"sleep\", \"600\"]},"
                + "{\"command\": [\"sleep\", \"600\"]}]}");
        Answer cancelled = send(request("/v1/runs/" + runId).DELETE());
        assertEquals(200, cancelled.status());
        assertEquals("cancelled", cancelled.body().get("state").asText());
        assertEquals(3, awaitEnd(runId).get("cancelled").asInt());
    }

    /** One server-sent event: its id, type and JSON data. */
    private record Sse(String id, String type, JsonNode data) {
    }

    /** Reads events from a stream until {@code enough} of them, or the stream's end; then drops the connection. */
    private static List<Sse> readEvents(String runId, String lastEventId, int enough) throws Exception {
        HttpRequest.Builder request = request("/v1/runs/" + runId + "/events");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.util.stream.Stream<String>> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<Sse> events = new java.util.ArrayList<>();
        try (java.util.stream.Stream<String> lines = response.body()) {
            java.util.Iterator<String> it = lines.iterator();
            String id = null;
            String type = null;
            StringBuilder data = new StringBuilder();
            while (events.size() < enough && it.hasNext()) {
                String line = it.next();
                if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                } else if (line.isEmpty() && data.length() > 0) {
                    events.add(new Sse(id, type, JSON.readTree(data.toString())));
                    data.setLength(0);
                }
            }
        }
        return events;
    }

    @Test
    void anEventStreamResumedWithLastEventIdLosesAndRepeatsNothing() throws Exception {
        String runId = submit("{\"maxParallel\": 2, \"batch\": {\"count\": 150, \"template\": "
                + "{\"command\": [\"sleep\", \"0.02\"]}}}");
        List<Sse> first = readEvents(runId, null, 60);
        assertEquals(60, first.size());
        assertTrue(first.stream().noneMatch(event -> event.type().equals("completed")), "disconnected mid-run");
        List<Sse> second = readEvents(runId, first.get(first.size() - 1).id(), Integer.MAX_VALUE);
        List<Sse> all = new java.util.ArrayList<>(first);
        all.addAll(second);

        String epoch = all.get(0).id().split(":")[0];
        for (int i = 0; i < all.size(); i++) {
            assertEquals(epoch + ":" + (i + 1), all.get(i).id(), "every event exactly once, in order");
        }
        Sse last = all.get(all.size() - 1);
        assertEquals("completed", last.type());
        assertEquals(150, last.data().get("passed").asInt());
        java.util.Map<Integer, Integer> finals = new java.util.HashMap<>();
        for (Sse event : all) {
            if (event.type().equals("attempt") && event.data().get("state").asText().equals("passed")) {
                finals.merge(event.data().get("job").asInt(), 1, Integer::sum);
            }
        }
        assertEquals(150, finals.size(), "every job's final result arrived");
        assertTrue(finals.values().stream().allMatch(count -> count == 1), "and only once");

        List<Sse> replay = readEvents(runId, epoch + ":0", Integer.MAX_VALUE);
        assertEquals(all.stream().map(Sse::id).toList(), replay.stream().map(Sse::id).toList(),
                "a finished run's stream can be read again from the start");
        List<Sse> restarted = readEvents(runId, "0badcafe:17", Integer.MAX_VALUE);
        assertEquals("restarted", restarted.get(0).type(), "an id from another scheduler's lifetime restarts");
        assertEquals(150, restarted.stream().filter(event -> event.type().equals("attempt")).count());
        Answer garbled = send(request("/v1/runs/" + runId + "/events").header("Last-Event-ID", "yesterday"));
        assertEquals(400, garbled.status());
        assertEquals("Last-Event-ID", garbled.body().get("field").asText());
        assertEquals(404, get("/v1/runs/no-such-run/events").status());
    }

    @Test
    void aJobsWholeOutputIsServedAndOutputNeverPrintedIsEmpty() throws Exception {
        String runId = submit("{\"jobs\": [{\"command\": [\"seq\", \"1\", \"20000\"]}, "
                + "{\"command\": [\"true\"]}]}");
        awaitEnd(runId);
        Function<String, HttpResponse<String>> output = path -> {
            try {
                return http.send(request("/v1/jobs/" + runId + path).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        HttpResponse<String> whole = output.apply(":0/output");
        assertEquals(200, whole.statusCode());
        assertEquals("text/plain; charset=UTF-8", whole.headers().firstValue("Content-Type").orElse(""));
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 20_000).mapToObj(i -> i + "\n")
                .collect(java.util.stream.Collectors.joining()), whole.body(), "all of it, far beyond the tail");
        assertEquals("", output.apply(":0/output?stream=stderr").body());
        HttpResponse<String> silent = output.apply(":1/output?follow=true");
        assertEquals(200, silent.statusCode());
        assertEquals("", silent.body(), "a job that printed nothing has empty output, and a follow of it ends");
    }

    @Test
    void theOpenApiDescriptionHasExactlyTheRoutesTheServerServes() throws Exception {
        String runId = submit("{\"jobs\": [{\"command\": [\"echo\", \"kept\"]}]}");
        awaitEnd(runId);
        byte[] blob = "a blob for the route check\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(blob));
        assertEquals(201, http.send(request("/v1/blobs/" + digest).PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        String outputName = new io.flotilla.agent.OutputStore(cluster.dataDir().resolve("sandbox/outputs"))
                .find(new io.flotilla.protocol.run.JobAttempt(runId, 0, 1)).orElseThrow().name();
        JsonNode paths = get("/v1/openapi.json").body().get("paths");
        int operations = 0;
        for (var path : (Iterable<Map.Entry<String, JsonNode>>) paths::fields) {
            String url = path.getKey().replace("{runId}", runId).replace("{digest}", digest)
                    .replace("{jobId}", runId + ":0").replace("{name}", outputName).replace("{stream}", "stdout");
            for (var operation : (Iterable<Map.Entry<String, JsonNode>>) path.getValue()::fields) {
                String method = operation.getKey().toUpperCase();
                if (method.equals("PARAMETERS")) {
                    continue;
                }
                boolean webhook = url.startsWith("/v1/webhooks/");
                boolean commitRuns = (method + " " + url).equals("GET /v1/runs");
                HttpRequest.BodyPublisher body = switch (method + " " + url) {
                    case "POST /v1/blobs/missing" -> HttpRequest.BodyPublishers.ofString("{\"digests\": [\""
                            + digest + "\"]}");
                    case "POST /v1/blobs/batch" -> HttpRequest.BodyPublishers.ofString(digest + " " + blob.length
                            + "\n" + new String(blob, java.nio.charset.StandardCharsets.UTF_8));
                    default -> method.equals("PUT") ? HttpRequest.BodyPublishers.ofByteArray(blob)
                            : method.equals("POST") ? HttpRequest.BodyPublishers.ofString(webhook
                                    ? "{\"repository\": {\"full_name\": \"a/b\"}, \"project\": "
                                            + "{\"path_with_namespace\": \"a/b\"}}"
                                    : "{\"jobs\": [{\"command\": [\"true\"]}]}")
                            : HttpRequest.BodyPublishers.noBody();
                };
                HttpResponse<String> answer = http.send(request(commitRuns ? url + "?repo=a/b&sha=" + "0".repeat(40)
                        : url).header("Content-Type", method.equals("PUT")
                        || url.endsWith("/batch") ? "application/octet-stream" : "application/json")
                        .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
                if (webhook || commitRuns) { // served, and refused as this node has no repository registered
                    assertEquals(404, answer.statusCode(), url + ": " + answer.body());
                    assertTrue(answer.body().contains("repository 'a/b' is not registered"), answer.body());
                } else {
                    assertTrue(answer.statusCode() < 300, method + " " + url + " is served: " + answer.statusCode()
                            + " " + answer.body());
                }
                operations++;
            }
        }
        assertEquals(20, operations, "every documented operation was tried");
        // Routes the description does not have are not served either.
        for (String[] undocumented : new String[][] {{"PUT", "/v1/runs"}, {"DELETE", "/v1/blobs/" + digest},
                {"POST", "/v1/cluster"}, {"PUT", "/v1/runs/" + runId}, {"POST", "/v1/runs/" + runId + "/jobs"},
                {"GET", "/v1/jobs"}, {"DELETE", "/healthz"}, {"GET", "/v1/outputs/" + runId},
                {"POST", "/v1/jobs/" + runId + ":0/output"}, {"GET", "/v1/webhooks/github"},
                {"POST", "/v1/webhooks/bitbucket"}}) {
            int status = send(request(undocumented[1]).method(undocumented[0], HttpRequest.BodyPublishers.noBody()))
                    .status();
            assertTrue(status == 404 || status == 405, undocumented[0] + " " + undocumented[1] + ": " + status);
        }
    }

    @Test
    void theClusterHealthAndMetricsDescribeTheNode() throws Exception {
        awaitEnd(submit("{\"batch\": {\"count\": 20, \"template\": {\"command\": [\"true\"]}}}"));
        JsonNode state = get("/v1/cluster").body();
        assertEquals(1, state.get("nodes").size());
        assertTrue(state.get("nodes").get(0).get("node").asText().startsWith("127.0.0.1:"));
        assertTrue(state.has("queuedJobs") && state.has("runningJobs") && state.has("finishedJobs"));
        assertEquals("up", get("/healthz").body().get("status").asText());

        HttpResponse<String> metrics = http.send(request("/metrics").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        for (String name : List.of("flotilla_nodes 1", "flotilla_queued_jobs ", "flotilla_running_jobs ",
                "flotilla_finished_jobs_total ", "flotilla_free_slots ")) {
            assertTrue(metrics.body().contains("\n" + name), name + " in\n" + metrics.body());
        }
        java.util.regex.Matcher count = java.util.regex.Pattern.compile(
                "\nflotilla_dispatch_latency_seconds_count (\\d+)\n").matcher(metrics.body());
        assertTrue(count.find(), metrics.body());
        assertTrue(Long.parseLong(count.group(1)) >= 20, "every dispatched job is counted: " + metrics.body());
        assertTrue(metrics.body().contains("\nflotilla_dispatch_latency_seconds_bucket{le=\"+Inf\"} " + count.group(1)
                + "\n"), metrics.body());
    }

    @Test
    void withATokensFileEachRequestNeedsATokenWhoseRoleAllowsIt() throws Exception {
        Path tokens = Files.createTempFile("flotilla-tokens-", ".txt");
        Files.writeString(tokens, "# token user role\ns3cret-submit-token ann submit\ns3cret-read-token-1 bob read\n");
        try (EmbeddedCluster guarded = EmbeddedCluster.start(1, Map.of("flotilla.http.tokens-file",
                tokens.toString()))) {
            String runs = guarded.url() + "/v1/runs";
            String body = "{\"jobs\": [{\"command\": [\"true\"]}]}";
            Function<String, HttpRequest.Builder> submit = token -> {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(runs))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                return token == null ? request : request.header("Authorization", "Bearer " + token);
            };
            Answer none = send(submit.apply(null));
            assertEquals(401, none.status());
            assertEquals("Authorization", none.body().get("field").asText());
            assertEquals(401, send(submit.apply("guess")).status());
            Answer reader = send(submit.apply("s3cret-read-token-1"));
            assertEquals(403, reader.status());
            assertEquals("user bob may only read, and this request needs submit", reader.body().get("error").asText());
            Answer accepted = send(submit.apply("s3cret-submit-token"));
            assertEquals(202, accepted.status());
            String runId = accepted.body().get("runId").asText();
            Answer read = send(HttpRequest.newBuilder(URI.create(runs + "/" + runId))
                    .header("Authorization", "Bearer s3cret-read-token-1"));
            assertEquals(200, read.status());
            assertEquals("ann", read.body().get("user").asText(), "the token names the run's user");
        } finally {
            Files.delete(tokens);
        }
    }

    private record BadRequest(String what, HttpRequest.Builder request, int status, String field) {
    }

    @Test
    void badRequestsGetTheRightStatusAndAJsonErrorAndTheServerKeepsServing() throws Exception {
        String known = submit("{\"jobs\": [{\"command\": [\"true\"]}]}");
        String conflictKey = "bad-input-" + System.nanoTime();
        assertEquals(202, post("{\"jobs\": [{\"command\": [\"true\"]}]}", "Idempotency-Key", conflictKey).status());
        Object[][] bodies = {
                {"{\"jobs\": [", 400, null},
                {"{\"jobs\": [{\"command\": [\"true\"]},]}", 400, null},
                {"[1, 2]", 400, null},
                {"{\"jobs\": \"echo\"}", 400, "jobs"},
                {"{\"jobz\": []}", 400, "jobz"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"colour\": \"red\"}]}", 400, "jobs[0].colour"},
                {"{\"priority\": \"high\", \"jobs\": [{\"command\": [\"true\"]}]}", 400, "priority"},
                {"{\"batch\": {\"count\": 1.5, \"template\": {\"command\": [\"true\"]}}}", 400, "batch.count"},
                {"{\"jobs\": [{\"command\": []}]}", 422, "jobs[0].command"},
                {"{\"jobs\": [{}]}", 422, "jobs[0].command"},
                {"{\"jobs\": []}", 422, "jobs"},
                {"{}", 422, "jobs"},
                {"{\"jobs\": [{\"command\": [\"true\"]}], \"batch\": {\"count\": 1}}", 422, "jobs"},
                {"{\"batch\": {\"count\": -5, \"template\": {\"command\": [\"true\"]}}}", 422, "batch.count"},
                {"{\"batch\": {\"count\": 1000000000, \"template\": {\"command\": [\"true\"]}}}", 422, "batch.count"},
                {"{\"repeat\": {\"count\": 3}}", 422, "repeat.job"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"memory\": \"1k\"}]}", 422, "jobs[0].limits.memory"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"memory\": \"lots\"}]}", 422, "jobs[0].limits.memory"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"timeout\": \"99d\"}]}", 422, "jobs[0].limits.timeout"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"network\": \"wifi\"}]}", 422, "jobs[0].network"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"workdir\": \"../etc\"}]}", 422, "jobs[0].workdir"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"layers\": [{\"digest\": \"md5:1\"}]}]}", 422,
                        "jobs[0].layers.digest"},
                {"{\"retries\": 99, \"jobs\": [{\"command\": [\"true\"]}]}", 422, "retries"},
                {"{\"runId\": \"../../etc\", \"jobs\": [{\"command\": [\"true\"]}]}", 422, "runId"},
                {"{\"maxParallel\": -1, \"jobs\": [{\"command\": [\"true\"]}]}", 422, "maxParallel"},
                {"{\"runId\": \"..\", \"jobs\": [{\"command\": [\"true\"]}]}", 422, "runId"},
                {"{\"runId\": \"\", \"jobs\": [{\"command\": [\"true\"]}]}", 422, "runId"},
                {"{\"priority\": 5000, \"jobs\": [{\"command\": [\"true\"]}]}", 422, "priority"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"pids\": -3}]}", 422, "jobs[0].limits.pids"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"cpus\": 0}]}", 422, "jobs[0].limits.cpus"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"outputLimit\": \"0\"}]}", 422,
                        "jobs[0].limits.outputLimit"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"hostname\": \"no spaces!\"}]}", 422, "jobs[0].hostname"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"env\": {\"1BAD\": \"x\"}}]}", 422, "jobs[0].env"},
                {"{\"jobs\": [{\"command\": [\"a\\u0000b\"]}]}", 422, "jobs[0].command"},
                {"{\"jobs\": [{\"command\": [\"true\"], \"layers\": [{\"digest\": \"sha256:" + "0".repeat(64)
                        + "\", \"dest\": \"/proc\"}]}]}", 422, "jobs[0].layers.dest"},
                {"{\"jobs\": [null]}", 422, "jobs[0]"},
                {"{\"repeat\": {\"count\": 0, \"job\": {\"command\": [\"true\"]}}}", 422, "repeat.count"},
                {"{\"repeat\": {\"count\": 1000000000, \"job\": {\"command\": [\"true\"]}}}", 422,
                        "repeat.count"},
                {"{\"suite\": {\"kind\": \"maven\", \"name\": \"s\", \"job\": {}}}", 422, "suite.kind"},
                {"{\"suite\": {\"name\": \"s\", \"job\": {}}}", 422, "suite.kind"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"\", \"job\": {}}}", 422, "suite.name"},
                {"{\"suite\": {\"kind\": \"gtest\", \"name\": \"s\", \"job\": {}}}", 422, "suite.targets"},
                {"{\"suite\": {\"kind\": \"ctest\", \"name\": \"s\", \"isolation\": \"file\", \"job\": {}}}", 422,
                        "suite.isolation"},
                {"{\"suite\": {\"kind\": \"ctest\", \"name\": \"s\", \"isolation\": \"pod\", \"job\": {}}}", 422,
                        "suite.isolation"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"isolation\": \"shard\", \"job\": {}}}", 422,
                        "suite.shardSize"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"include\": [\"re:((\"], \"job\": {}}}", 422,
                        "suite.include"},
                {"{\"suite\": {\"kind\": \"exec\", \"name\": \"s\", \"targets\": [\"t*\"], \"marker\": \"slow\", "
                        + "\"job\": {}}}", 422, "suite.marker"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"repeat\": -1, \"job\": {}}}", 422,
                        "suite.repeat"},
                {"{\"suite\": {\"kind\": \"ctest\", \"name\": \"s\", \"groupTime\": \"5s\", \"job\": {}}}", 422,
                        "suite.groupTime"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"groupTime\": \"soon\", \"job\": {}}}", 422,
                        "suite.groupTime"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"jvmArgs\": [\"-Xmx1g\"], \"job\": {}}}",
                        422, "suite.jvmArgs"},
                {"{\"suite\": {\"kind\": \"junit\", \"name\": \"s\", \"targets\": [\"/t\"], \"jvmArgs\": "
                        + "[\"Xmx1g\"], \"job\": {}}}", 422, "suite.jvmArgs"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\"}}", 422, "suite.job"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"job\": {\"command\": [\"pytest\"]}}}", 422,
                        "suite.job.command"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"job\": {\"memory\": \"lots\"}}}", 422,
                        "suite.job.limits.memory"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"job\": {}}, \"jobsPerContainer\": 2}", 422,
                        "jobsPerContainer"},
                {"{\"suite\": {\"kind\": \"pytest\", \"name\": \"s\", \"job\": {}, \"colour\": 1}}", 400,
                        "suite.colour"},
                {"\"just a string\"", 400, null},
                {"", 400, null},
        };
        List<BadRequest> requests = new ArrayList<>();
        for (Object[] body : bodies) {
            requests.add(new BadRequest((String) body[0], request("/v1/runs").header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString((String) body[0])), (int) body[1],
                    (String) body[2]));
        }
        String json = "{\"jobs\": [{\"command\": [\"true\"]}]}";
        requests.add(new BadRequest("a text/plain body", request("/v1/runs").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(json)), 415, null));
        requests.add(new BadRequest("no Content-Type", request("/v1/runs")
                .POST(HttpRequest.BodyPublishers.ofString(json)), 415, null));
        requests.add(new BadRequest("a 68 MB body", request("/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jobs\": [" + "{\"command\": [\"true\"]},"
                        .repeat(3_100_000) + "{\"command\": [\"true\"]}]}")), 413, null)); // over 64 MiB
        requests.add(new BadRequest("a 20 KB header", request("/v1/runs/" + known).header("X-Padding",
                "a".repeat(20_000)), 431, null));
        requests.add(new BadRequest("JSON nested 5,000 deep", request("/v1/runs").header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"jobs\": " + "[".repeat(5000)
                + "]".repeat(5000) + "}")), 400, null));
        requests.add(new BadRequest("an idempotency conflict", request("/v1/runs").header("Content-Type",
                "application/json").header("Idempotency-Key", conflictKey).POST(HttpRequest.BodyPublishers.ofString(
                "{\"jobs\": [{\"command\": [\"false\"]}]}")), 409, "Idempotency-Key"));
        String[][] gets = {
                {"/v1/runs/no-such-run", "404", "runId"},
                {"/v1/runs/..%2F..%2Fetc", "400", "runId"},
                {"/v1/runs/%00", "400", "runId"},
                {"/v1/runs/" + "r".repeat(200), "400", "runId"},
                {"/v1/runs/" + known + "/jobs?state=weird", "400", "state"},
                {"/v1/runs/" + known + "/jobs?limit=100000", "400", "limit"},
                {"/v1/runs/" + known + "/jobs?limit=abc", "400", "limit"},
                {"/v1/runs/" + known + "/jobs?from=-1", "400", "from"},
                {"/v1/runs/no-such-run/jobs", "404", "runId"},
                {"/v1/runs/no-such-run/results.ndjson", "404", "runId"},
                {"/v1/runs/no-such-run/events", "404", "runId"},
                {"/v1/nothing-here", "404", null},
                {"/v1/jobs/" + known + "/output", "400", "jobId"},
                {"/v1/jobs/" + known + ":x/output", "400", "jobId"},
                {"/v1/jobs/..%2F..:0/output", "400", "jobId"},
                {"/v1/jobs/" + known + ":0/output?stream=stdin", "400", "stream"},
                {"/v1/jobs/" + known + ":0/output?attempt=0", "400", "attempt"},
                {"/v1/jobs/" + known + ":0/output?follow=maybe", "400", "follow"},
                {"/v1/jobs/" + known + ":99/output", "404", "jobId"},
                {"/v1/jobs/no-such-run:0/output", "404", "jobId"},
                {"/v1/jobs/" + known + ":0/output?attempt=5", "404", "attempt"},
                {"/v1/outputs/" + known + "/0.1.nothex/stdout", "404", "name"},
                {"/v1/outputs/%2E%2E/0.1." + "ab".repeat(16) + "/stdout", "404", null},
                {"/v1/outputs/" + known + "/0.1." + "ab".repeat(16) + "/environ", "404", "stream"},
                {"/v1/blobs/sha256:abc", "400", "digest"},
                {"/v1/blobs/..%2F..%2Fetc%2Fpasswd", "400", "digest"},
                {"/v1/blobs/sha256:" + "0".repeat(64), "404", "digest"},
        };
        for (String[] get : gets) {
            requests.add(new BadRequest("GET " + get[0], request(get[0]), Integer.parseInt(get[1]), get[2]));
        }
        requests.add(new BadRequest("a garbled Last-Event-ID", request("/v1/runs/" + known + "/events")
                .header("Last-Event-ID", "yesterday"), 400, "Last-Event-ID"));
        requests.add(new BadRequest("PUT on a run", request("/v1/runs/" + known)
                .PUT(HttpRequest.BodyPublishers.noBody()), 405, null));
        requests.add(new BadRequest("DELETE of no run", request("/v1/runs/no-such-run").DELETE(), 404, "runId"));
        requests.add(new BadRequest("a blob whose bytes are not its digest", request("/v1/blobs/sha256:"
                + "1".repeat(64)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofString("other bytes")), 422, "digest"));
        requests.add(new BadRequest("a blob PUT under a bad digest", request("/v1/blobs/sha256:XYZ")
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofString("bytes")),
                400, "digest"));

        for (BadRequest bad : requests) {
            Answer answer = send(bad.request());
            assertEquals(bad.status(), answer.status(), bad.what() + " -> " + answer.body());
            assertTrue(answer.body().get("error").asText().length() > 10, answer.body().toString());
            assertFalse(answer.body().toString().contains("Exception"), "no stack trace or class: " + answer.body());
            if (bad.field() != null) {
                assertEquals(bad.field(), answer.body().path("field").asText(), bad.what() + " -> " + answer.body());
            }
            assertEquals(200, get("/v1/runs/" + known).status(), "the server still serves after " + bad.what());
        }
        assertTrue(requests.size() >= 60, "acceptance asks for at least 60 bad requests, not " + requests.size());
        System.out.println(requests.size() + " bad requests, each answered with its 4xx and a JSON error");
        assertEquals(200, get("/v1/runs/" + known).status());
    }
}
