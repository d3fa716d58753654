package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statuses reported over real HTTP to a stand-in for each forge's API: the request each forge wants, and retries. */
class StatusReporterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static final String TOKEN = "ghp_status_token_0123456789";

    @TempDir
    Path dir;
    private StubForge forge;
    private final StatusReporter reporter = new StatusReporter(HttpClient.newHttpClient(),
            new ForgeRetry(Duration.ofMillis(50), Duration.ofSeconds(2), 4));

    @BeforeEach
    void start() throws Exception {
        forge = new StubForge();
        TestRepositories.secret(dir.resolve("token"), TOKEN);
    }

    @AfterEach
    void stop() {
        forge.close();
    }

    private Repository repository(Forge kind, String name, String api) {
        return new Repository(name, kind, new byte[16], "https://example.com/x.git", Optional.empty(), api,
                Optional.of(dir.resolve("token")), Repository.ForkPolicy.NONE, Optional.empty(), Optional.empty());
    }

    private StatusReporter.Outcome report(Repository repository, CommitStatus status) throws Exception {
        return reporter.report(repository, status).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void gitHubGetsItsStatusAfterAServerErrorAndARateLimit() throws Exception {
        forge.answerNext(502, "<html>Bad gateway</html>", Map.of());
        forge.answerNext(403, "{\"message\":\"You have exceeded a secondary rate limit\"}",
                Map.of("Retry-After", "1"));
        StatusReporter.Outcome outcome = report(repository(Forge.GITHUB, "acme/widgets", forge.url() + "/api/v3/"),
                new CommitStatus(SHA, CommitStatus.State.RUNNING, "flotilla/unit", "12 of 40 tests done",
                        "https://flotilla.example.com/v1/runs/r-1"));
        assertTrue(outcome.reported(), outcome.toString());
        assertEquals(3, outcome.attempts());
        List<StubForge.Call> calls = forge.calls();
        assertEquals(3, calls.size());
        StubForge.Call call = calls.get(2);
        assertEquals("POST", call.method());
        assertEquals("/api/v3/repos/acme/widgets/statuses/" + SHA, call.path());
        assertEquals("Bearer " + TOKEN, call.header("Authorization"));
        JsonNode body = JSON.readTree(call.body());
        assertEquals("pending", body.get("state").asText(), "GitHub has no running state");
        assertEquals("flotilla/unit", body.get("context").asText());
        assertEquals("https://flotilla.example.com/v1/runs/r-1", body.get("target_url").asText());
    }

    @Test
    void gitLabGetsItsOwnWordsAtItsProjectsEncodedPath() throws Exception {
        StatusReporter.Outcome outcome = report(repository(Forge.GITLAB, "group/sub/gadgets", forge.url()
                + "/api/v4"), new CommitStatus(SHA, CommitStatus.State.FAILURE, "flotilla/unit",
                "x".repeat(300), ""));
        assertTrue(outcome.reported(), outcome.toString());
        StubForge.Call call = forge.calls().get(0);
        assertEquals("/api/v4/projects/group%2Fsub%2Fgadgets/statuses/" + SHA, call.path());
        assertEquals(TOKEN, call.header("PRIVATE-TOKEN"));
        assertEquals("", call.header("Authorization"));
        JsonNode body = JSON.readTree(call.body());
        assertEquals("failed", body.get("state").asText());
        assertEquals("flotilla/unit", body.get("name").asText());
        assertEquals(CommitStatus.MAX_DESCRIPTION, body.get("description").asText().length());
        assertFalse(body.has("target_url"));
    }

    @Test
    void aRefusalThatTryingAgainWouldNotChangeIsGivenUpAtOnceWithTheForgesMessage() throws Exception {
        forge.answerNext(401, "{\"message\":\"Bad credentials\"}", Map.of());
        StatusReporter.Outcome outcome = report(repository(Forge.GITHUB, "acme/widgets", forge.url()),
                new CommitStatus(SHA, CommitStatus.State.SUCCESS, "flotilla/unit", "40 passed", ""));
        assertFalse(outcome.reported());
        assertEquals(1, outcome.attempts());
        assertTrue(outcome.reason().contains("HTTP 401: {\"message\":\"Bad credentials\"}"), outcome.reason());
        for (int i = 0; i < 4; i++) {
            forge.answerNext(503, "", Map.of());
        }
        StatusReporter.Outcome down = report(repository(Forge.GITHUB, "acme/widgets", forge.url()),
                new CommitStatus(SHA, CommitStatus.State.SUCCESS, "flotilla/unit", "40 passed", ""));
        assertFalse(down.reported());
        assertEquals("HTTP 503, after 4 tries", down.reason());
        StatusReporter.Outcome noToken = report(new Repository("acme/widgets", Forge.GITHUB, new byte[16],
                "https://example.com/x.git", Optional.empty(), forge.url(), Optional.empty(),
                Repository.ForkPolicy.NONE, Optional.empty(), Optional.empty()),
                new CommitStatus(SHA, CommitStatus.State.SUCCESS, "c", "", ""));
        assertFalse(noToken.reported());
        assertTrue(noToken.reason().contains("no status-token-file"), noToken.reason());
        assertEquals(5, forge.calls().size(), "one for the 401, four for the outage, none without a token");
    }

    private Repository app(Path key) {
        return new Repository("acme/widgets", Forge.GITHUB, new byte[16], "https://example.com/x.git",
                Optional.empty(), forge.url() + "/api/v3", Optional.empty(), Repository.ForkPolicy.NONE,
                Optional.of(new GithubApp(GithubAppFixture.APP_ID, GithubAppFixture.INSTALLATION_ID, key)),
                Optional.empty());
    }

    @Test
    void aGithubAppGetsCheckRunsWithAnAnnotationPerFailingTestFiftyARequest() throws Exception {
        GithubAppFixture fixture = GithubAppFixture.serve(forge);
        Repository repository = app(fixture.writeKey(dir.resolve("app.pem"), true));
        List<SuiteRuns.FailedTest> failures = new java.util.ArrayList<>();
        for (int i = 0; i < 120; i++) {
            failures.add(new SuiteRuns.FailedTest("tests/test_many.py::test_case[" + i + "]",
                    "AssertionError: " + "x".repeat(1000)));
        }
        failures.add(new SuiteRuns.FailedTest("com.acme.WidgetTest.spins", ""));
        StatusReporter.Outcome outcome = reporter.report(repository, new CommitStatus(SHA, CommitStatus.State.FAILURE,
                "flotilla/unit", "0 jobs passed, 1 failed", "https://flotilla.example.com/v1/runs/r-1"), failures)
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(outcome.reported(), outcome.toString());
        List<StubForge.Call> calls = forge.calls();
        assertEquals(List.of("POST /api/v3/app/installations/777/access_tokens", "POST /api/v3/repos/acme/widgets/"
                + "check-runs", "PATCH /api/v3/repos/acme/widgets/check-runs/9001", "PATCH /api/v3/repos/acme/"
                + "widgets/check-runs/9001"), calls.stream().map(call -> call.method() + " " + call.path()).toList());
        assertTrue(fixture.verifies(calls.get(0).header("Authorization").substring("Bearer ".length())),
                "the token was asked for with a JWT the app's key signed");
        List<JsonNode> annotations = new java.util.ArrayList<>();
        for (StubForge.Call call : calls.subList(1, 4)) {
            assertEquals("Bearer " + GithubAppFixture.TOKEN, call.header("Authorization"));
            JsonNode output = JSON.readTree(call.body()).path("output");
            assertTrue(output.path("annotations").size() <= CheckRuns.ANNOTATIONS_PER_REQUEST, call.body());
            assertTrue(output.path("summary").asText().length() < 65_535);
            output.path("annotations").forEach(annotations::add);
        }
        assertEquals(List.of(50, 50, 21), calls.subList(1, 4).stream().map(call -> {
            try {
                return JSON.readTree(call.body()).path("output").path("annotations").size();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList());
        JsonNode created = JSON.readTree(calls.get(1).body());
        assertEquals("flotilla/unit", created.path("name").asText());
        assertEquals(SHA, created.path("head_sha").asText());
        assertEquals("completed", created.path("status").asText());
        assertEquals("failure", created.path("conclusion").asText());
        assertEquals("https://flotilla.example.com/v1/runs/r-1", created.path("details_url").asText());
        assertEquals("0 jobs passed, 1 failed", created.path("output").path("title").asText());
        assertTrue(created.path("output").path("summary").asText().startsWith("0 jobs passed, 1 failed\n\n"
                + "| failing test | why |\n|---|---|\n| `tests/test_many.py::test_case[0]` | AssertionError: xxx"));
        assertEquals(121, annotations.size());
        JsonNode first = annotations.get(0);
        assertEquals("tests/test_many.py", first.path("path").asText());
        assertEquals("failure", first.path("annotation_level").asText());
        assertEquals("tests/test_many.py::test_case[0]", first.path("title").asText());
        assertTrue(first.path("message").asText().startsWith("AssertionError: xxx"));
        JsonNode java = annotations.get(120);
        assertEquals(".flotilla.yml", java.path("path").asText(), "a name without a file annotates the config");
        assertEquals("com.acme.WidgetTest.spins", java.path("title").asText());
        assertEquals("failed", java.path("message").asText());

        StatusReporter.Outcome queued = report(repository, new CommitStatus(SHA, CommitStatus.State.PENDING,
                "flotilla/other", "waiting for the cluster", ""));
        assertTrue(queued.reported(), queued.toString());
        assertEquals(5, forge.calls().size(), "the installation's token was kept");
        JsonNode pending = JSON.readTree(forge.calls().get(4).body());
        assertEquals("queued", pending.path("status").asText());
        assertFalse(pending.has("conclusion"));
        assertEquals(0, pending.path("output").path("annotations").size());
    }

    @Test
    void anAppWhoseKeyGithubDoesNotKnowGetsNoTokenAndWritesNothing() throws Exception {
        GithubAppFixture.serve(forge);
        GithubAppFixture stranger = GithubAppFixture.serve(new StubForge());
        Repository repository = app(stranger.writeKey(dir.resolve("other.pem"), false));
        StatusReporter.Outcome outcome = report(repository, new CommitStatus(SHA, CommitStatus.State.SUCCESS,
                "flotilla/unit", "40 passed", ""));
        assertFalse(outcome.reported());
        assertEquals("GitHub gave app 4242 no token for installation 777: HTTP 401: {\"message\":\"A JSON web "
                + "token could not be decoded\"}", outcome.reason());
        assertEquals(List.of("/api/v3/app/installations/777/access_tokens"), forge.calls().stream()
                .map(StubForge.Call::path).toList(), "no check run without the installation's token");
    }
}
