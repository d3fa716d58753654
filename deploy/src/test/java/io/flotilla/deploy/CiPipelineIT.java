package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.ci.GitFixture;
import io.flotilla.ci.StubForge;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push or a pull request, end to end on an embedded node: a real git repository served by its {@code file://}
 * URL, a stand-in GitHub API over real HTTP that records every status, real pytest suites in real containers. Each
 * suite gets {@code pending} and then its verdict, once, however many deliveries asked; a fork's jobs get neither
 * the registration's secrets nor a network.
 */
class CiPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    /** A passing suite {@code unit} ({@code test_ok.py}) and a failing one, {@code broken} ({@link #BROKEN}). */
    static final String PIPELINE = """
            suites:
              - name: unit
                kind: pytest
                targets: [test_ok.py]
              - name: broken
                kind: pytest
                targets: [test_bad.py]
            """;
    /** The file {@code test_bad.py} of the suite {@code broken}: one test passes, one fails. */
    static final String BROKEN = "def test_passes():\n    pass\n\n\ndef test_fails():\n    assert 2 + 2 == 5\n";

    @TempDir
    Path dir;

    /** A status the stand-in forge was sent. */
    private record Status(String sha, String context, String state, String description, String targetUrl) {
    }

    private static List<Status> statuses(StubForge forge) {
        List<Status> statuses = new ArrayList<>();
        for (StubForge.Call call : forge.calls()) {
            assertEquals("Bearer " + WebhookDeliveries.STATUS_TOKEN, call.header("Authorization"));
            assertTrue(call.path().startsWith("/repos/acme/widgets/statuses/"), call.path());
            try {
                JsonNode body = JSON.readTree(call.body());
                statuses.add(new Status(call.path().substring(call.path().lastIndexOf('/') + 1),
                        body.path("context").asText(), body.path("state").asText(),
                        body.path("description").asText(), body.path("target_url").asText()));
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return statuses;
    }

    /** The statuses of one commit's context, in the order they were sent. */
    private static List<String> states(List<Status> statuses, String sha, String context) {
        return statuses.stream().filter(s -> s.sha().equals(sha) && s.context().equals(context))
                .map(Status::state).toList();
    }

    private static List<Status> awaitStatuses(StubForge forge, Predicate<List<Status>> done) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            List<Status> statuses = statuses(forge);
            if (done.test(statuses)) {
                return statuses;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the forge was not sent the statuses within " + PATIENCE + ": " + statuses(forge));
    }

    private static boolean ended(List<Status> statuses, String sha, String context) {
        List<String> states = states(statuses, sha, context);
        return !states.isEmpty() && !states.get(states.size() - 1).equals("pending");
    }

    private EmbeddedCluster start(Path registration) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        return EmbeddedCluster.start(2, Map.of("flotilla.ci.repositories-file", registration.toString(),
                "flotilla.data-dir", data.toString()));
    }

    private static HttpResponse<String> deliver(EmbeddedCluster cluster, String event, String delivery, String body)
            throws Exception {
        return http.send(WebhookDeliveries.github(cluster.url(), event, delivery, body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void aPushRunsEachSuiteOnceAndReportsPendingThenItsVerdictNamingTheFailingTest() throws Exception {
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        String sha = origin.commit(Map.of(".flotilla.yml", PIPELINE,
                "test_ok.py", "def test_passes():\n    assert 1 + 1 == 2\n",
                "test_bad.py", BROKEN));
        try (StubForge forge = new StubForge();
             EmbeddedCluster cluster = start(WebhookDeliveries.registration(dir, origin.cloneUrl(), forge.url(),
                     "none"))) {
            HttpResponse<String> accepted = deliver(cluster, "push", "d-1", WebhookDeliveries.push(sha));
            assertEquals(202, accepted.statusCode(), accepted.body());
            List<Status> statuses = awaitStatuses(forge, all -> ended(all, sha, "flotilla/unit")
                    && ended(all, sha, "flotilla/broken"));
            assertEquals(List.of("pending", "success"), states(statuses, sha, "flotilla/unit"));
            assertEquals(List.of("pending", "failure"), states(statuses, sha, "flotilla/broken"));
            assertEquals(List.of("pending", "success"), states(statuses, sha, "flotilla"),
                    "the commit's own stage: fetched, and its suites named");
            assertTrue(statuses.contains(new Status(sha, "flotilla", "success", "2 suites: unit, broken", "")));
            Status failure = statuses.stream().filter(s -> s.state().equals("failure")).findFirst().orElseThrow();
            assertEquals("0 jobs passed, 1 failed: test_bad.py::test_fails", failure.description(),
                    "one job ran the file's two tests, and one of them failed");
            JsonNode run = get(failure.targetUrl());
            assertEquals(1, run.path("failed").asInt(), run.toString());

            JsonNode found = get(cluster.url() + "/v1/runs?repo=acme/widgets&sha=" + sha);
            assertEquals(1, found.path("commits").size(), found.toString());
            JsonNode suites = found.path("commits").get(0).path("suites");
            assertEquals("unit", suites.get(0).path("suite").asText());
            assertEquals("success", suites.get(0).path("status").asText());
            assertEquals("failure", suites.get(1).path("status").asText());
            assertTrue(failure.targetUrl().endsWith("/v1/runs/" + suites.get(1).path("runId").asText()));
            Distribution.Result printed = Distribution.flotilla(dir, Map.of(), List.of("commit", "--cluster",
                    cluster.url(), "acme/widgets", sha));
            assertEquals(1, printed.status(), "a suite failed: " + printed);
            assertTrue(printed.stdout().startsWith("github:acme/widgets@" + sha + ": fetched\n"), printed.toString());
            assertTrue(printed.stdout().matches("(?s).*  flotilla/unit +success +"
                    + suites.get(0).path("runId").asText() + "\n.*"), printed.toString());
            assertTrue(printed.stdout().matches("(?s).*  flotilla/broken +failure +ci-.*"), printed.toString());
            Distribution.Result unknown = Distribution.flotilla(dir, Map.of(), List.of("commit", "--cluster",
                    cluster.url(), "acme/other", sha));
            assertEquals(2, unknown.status(), unknown.toString());
            assertTrue(unknown.stderr().contains("repository 'acme/other' is not registered with this cluster"),
                    unknown.toString());

            HttpResponse<String> again = deliver(cluster, "push", "d-1", WebhookDeliveries.push(sha));
            assertEquals(200, again.statusCode(), again.body());
            HttpResponse<String> pullRequest = deliver(cluster, "pull_request", "d-2",
                    WebhookDeliveries.pullRequest(sha));
            assertEquals(202, pullRequest.statusCode(), pullRequest.body());

            String next = origin.commit(Map.of("test_ok.py", "def test_passes():\n    assert True\n"));
            List<CompletableFuture<HttpResponse<String>>> many = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                many.add(http.sendAsync(WebhookDeliveries.github(cluster.url(), "push", "d-many-" + i,
                        WebhookDeliveries.push(next)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> each : many) {
                assertEquals(202, each.get().statusCode(), each.get().body());
            }
            List<Status> later = awaitStatuses(forge, all -> ended(all, next, "flotilla/unit")
                    && ended(all, next, "flotilla/broken"));
            Thread.sleep(3000); // what a second run of either commit would send comes within this
            later = statuses(forge);
            assertEquals(List.of("pending", "success"), states(later, sha, "flotilla/unit"),
                    "the redelivery and the pull request ran nothing");
            assertEquals(List.of("pending", "failure"), states(later, sha, "flotilla/broken"));
            assertEquals(List.of("pending", "success"), states(later, next, "flotilla/unit"),
                    "20 deliveries of one commit ran it once");
            assertEquals(List.of("pending", "failure"), states(later, next, "flotilla/broken"));
            assertEquals(List.of("pending", "success"), states(later, next, "flotilla"));
        }
    }

    @Test
    void aCommitWithoutTheFileGetsOneErrorStatusSayingSo() throws Exception {
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        String sha = origin.commit(Map.of("README", "no pipeline here\n"));
        try (StubForge forge = new StubForge();
             EmbeddedCluster cluster = start(WebhookDeliveries.registration(dir, origin.cloneUrl(), forge.url(),
                     "none"))) {
            assertEquals(202, deliver(cluster, "push", "d-1", WebhookDeliveries.push(sha)).statusCode());
            List<Status> statuses = awaitStatuses(forge, all -> ended(all, sha, "flotilla"));
            assertEquals(List.of(new Status(sha, "flotilla", "pending", "fetching the commit", ""),
                    new Status(sha, "flotilla", "error", "the commit has no .flotilla.yml: nothing says which suites "
                            + "to run", "")), statuses);
        }
    }

    /**
     * A fork's pull request, where the registration says {@code forks: run}: its suite asks for the host's network
     * and looks for every secret of the registration, in its environment and in the files that hold them.
     */
    @Test
    void aForksPullRequestRunsWithoutTheRegistrationsSecretsOrANetwork() throws Exception {
        StubForge forge = new StubForge();
        try (forge) {
            GitFixture origin = GitFixture.init(dir.resolve("origin"));
            Path registration = WebhookDeliveries.registration(dir, origin.cloneUrl(), forge.url(), "run");
            int port = URI.create(forge.url()).getPort();
            String probe = """
                    import os, socket
                    SECRETS = %s
                    FILES = %s

                    def test_no_secret_in_the_environment():
                        for name, value in os.environ.items():
                            assert not any(secret in value for secret in SECRETS), name

                    def test_no_secret_file_can_be_read():
                        for path in FILES:
                            try:
                                with open(path) as f:
                                    text = f.read()
                            except OSError:
                                continue
                            assert False, path + " was read"

                    def test_no_network_though_the_file_asks_for_the_host():
                        s = socket.socket()
                        s.settimeout(3)
                        try:
                            s.connect(("127.0.0.1", %d))
                        except OSError:
                            return
                        assert False, "reached the forge's API"
                    """.formatted(pythonList(List.of(WebhookDeliveries.SECRET, WebhookDeliveries.STATUS_TOKEN)),
                    pythonList(List.of(dir.resolve("github.secret").toString(),
                            dir.resolve("status.token").toString(), registration.toString())), port);
            String sha = origin.commit(Map.of(".flotilla.yml", """
                    suites:
                      - name: probe
                        kind: pytest
                        targets: [test_probe.py]
                        job: {network: host}
                    """, "test_probe.py", probe));
            try (EmbeddedCluster cluster = start(registration)) {
                HttpResponse<String> accepted = deliver(cluster, "pull_request", "d-fork",
                        WebhookDeliveries.pullRequest(sha, "mallory/widgets"));
                assertEquals(202, accepted.statusCode(), accepted.body());
                assertTrue(accepted.body().contains("+fork"), accepted.body());
                List<Status> statuses = awaitStatuses(forge, all -> ended(all, sha, "flotilla/probe"));
                assertEquals(List.of("pending", "success"), states(statuses, sha, "flotilla/probe"),
                        statuses.toString());
            }
        }
    }

    private static String pythonList(List<String> values) {
        return values.stream().map(value -> "'" + value + "'").toList().toString();
    }
}
