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
                Optional.of(dir.resolve("token")), Repository.ForkPolicy.NONE);
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
                Repository.ForkPolicy.NONE), new CommitStatus(SHA, CommitStatus.State.SUCCESS, "c", "", ""));
        assertFalse(noToken.reported());
        assertTrue(noToken.reason().contains("no status-token-file"), noToken.reason());
        assertEquals(5, forge.calls().size(), "one for the 401, four for the outage, none without a token");
    }
}
