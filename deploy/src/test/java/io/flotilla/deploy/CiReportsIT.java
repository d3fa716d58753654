package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.ci.GitFixture;
import io.flotilla.ci.GithubAppFixture;
import io.flotilla.ci.StubForge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each way of reporting sends, end to end on one embedded node: a GitHub repository registered with a GitHub App
 * gets Check Runs (queued, in progress, completed) with an annotation on the failing test, asked for with the
 * installation's token, and a re-run asked for on GitHub runs the commit again; a GitLab project gets GitLab's statuses, {@code running} included, for the suites its
 * registration names for commits without a {@code .flotilla.yml}. Real git, real pytest suites in containers,
 * stand-in forge APIs over real HTTP.
 */
class CiReportsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final Duration PATIENCE = Duration.ofMinutes(3);
    private static final String PASSING = "def test_passes():\n    assert True\n";

    @TempDir
    static Path dir;
    private static StubForge forge;
    private static GithubAppFixture app;
    private static GitFixture origin;
    private static GitFixture withoutPipeline;
    private static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        forge = new StubForge();
        app = GithubAppFixture.serve(forge);
        origin = GitFixture.init(dir.resolve("origin"));
        withoutPipeline = GitFixture.init(dir.resolve("without-pipeline"));
        Path key = app.writeKey(dir.resolve("app.pem"), true);
        Path registration = WebhookDeliveries.registration(dir, "clone-url: \"" + origin.cloneUrl()
                        + "\", api-url: \"" + forge.url() + "/api/v3\", " + app.registration(key),
                "clone-url: \"" + withoutPipeline.cloneUrl() + "\", api-url: \"" + forge.url() + "/api/v4\", "
                        + "status-token-file: status.token, suites: [{name: unit, kind: pytest, targets: "
                        + "[test_ok.py]}, {name: broken, kind: pytest, targets: [test_bad.py]}]");
        Path data = Files.createDirectories(dir.resolve("data"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        cluster = EmbeddedCluster.start(1, Map.of("flotilla.ci.repositories-file", registration.toString(),
                "flotilla.data-dir", data.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        forge.close();
    }

    /** The bodies of the calls whose method and path have these parts, in the order they came. */
    private static List<JsonNode> bodies(String method, String pathPart) {
        return forge.calls().stream().filter(call -> call.method().equals(method) && call.path().contains(pathPart))
                .map(call -> {
                    try {
                        return JSON.readTree(call.body());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).toList();
    }

    private static List<String> field(List<JsonNode> bodies, String name, String field) {
        return bodies.stream().filter(body -> body.path("name").asText().equals(name))
                .map(body -> body.path(field).asText()).toList();
    }

    private static void await(BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + PATIENCE + ": " + forge.calls());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aGithubAppsRepositoryGetsCheckRunsWithAnAnnotationOnTheFailingTestAndARerunRunsItAgain() throws Exception {
        String sha = origin.commit(Map.of(".flotilla.yml", CiPipelineIT.PIPELINE, "test_ok.py", PASSING,
                "test_bad.py", CiPipelineIT.BROKEN));
        HttpResponse<String> accepted = http.send(WebhookDeliveries.github(cluster.url(), "push", "app-1",
                WebhookDeliveries.push(sha)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        await(() -> {
            List<JsonNode> runs = bodies("POST", "/api/v3/repos/acme/widgets/check-runs");
            return field(runs, "flotilla/unit", "status").contains("completed")
                    && field(runs, "flotilla/broken", "status").contains("completed");
        }, "both suites' check runs completed");
        List<JsonNode> runs = bodies("POST", "/api/v3/repos/acme/widgets/check-runs");
        assertTrue(runs.stream().allMatch(run -> run.path("head_sha").asText().equals(sha)), runs.toString());
        assertEquals(List.of("queued", "completed"), field(runs, "flotilla", "status"));
        assertEquals(List.of("queued", "in_progress", "completed"), field(runs, "flotilla/unit", "status"));
        assertEquals(List.of("queued", "in_progress", "completed"), field(runs, "flotilla/broken", "status"));
        assertEquals("success", field(runs, "flotilla/unit", "conclusion").get(2));
        JsonNode broken = runs.stream().filter(run -> run.path("name").asText().equals("flotilla/broken")
                && run.path("status").asText().equals("completed")).findFirst().orElseThrow();
        assertEquals("failure", broken.path("conclusion").asText());
        assertTrue(broken.path("details_url").asText().startsWith(cluster.url() + "/v1/runs/ci-"), broken.toString());
        JsonNode output = broken.path("output");
        assertEquals("0 jobs passed, 1 failed: test_bad.py::test_fails", output.path("title").asText());
        assertTrue(output.path("summary").asText().contains("| `test_bad.py::test_fails` |"), output.toString());
        assertEquals(1, output.path("annotations").size(), output.toString());
        JsonNode annotation = output.path("annotations").get(0);
        assertEquals("test_bad.py", annotation.path("path").asText());
        assertEquals("test_bad.py::test_fails", annotation.path("title").asText());
        assertEquals("failure", annotation.path("annotation_level").asText());
        assertTrue(annotation.path("message").asText().contains("assert"), annotation.toString());

        List<StubForge.Call> github = forge.calls().stream().filter(call -> call.path().startsWith("/api/v3/"))
                .toList();
        for (StubForge.Call call : github) {
            String bearer = call.header("Authorization").substring("Bearer ".length());
            if (call.path().equals("/api/v3/app/installations/" + GithubAppFixture.INSTALLATION_ID
                    + "/access_tokens")) {
                assertTrue(app.verifies(bearer), "the token was asked for with the app's own JWT");
            } else {
                assertEquals(GithubAppFixture.TOKEN, bearer, call.path());
            }
        }
        assertTrue(github.stream().noneMatch(call -> call.path().contains("/statuses/")),
                "an app's repository gets check runs, not statuses");

        HttpResponse<String> rerun = http.send(WebhookDeliveries.github(cluster.url(), "check_suite", "app-2",
                "{\"action\":\"rerequested\",\"check_suite\":{\"head_sha\":\"" + sha + "\",\"head_branch\":"
                        + "\"main\"},\"repository\":{\"full_name\":\"acme/widgets\"}}").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, rerun.statusCode(), rerun.body());
        assertTrue(JSON.readTree(rerun.body()).path("newCommit").asBoolean(), rerun.body());
        await(() -> field(bodies("POST", "/api/v3/repos/acme/widgets/check-runs"), "flotilla/broken", "status")
                .size() == 6, "the re-run's check runs");
        List<JsonNode> again = bodies("POST", "/api/v3/repos/acme/widgets/check-runs");
        assertEquals(List.of("queued", "in_progress", "completed", "queued", "in_progress", "completed"),
                field(again, "flotilla/broken", "status"), "the re-run ran the suite again");
        List<String> links = field(again, "flotilla/broken", "details_url");
        assertTrue(!links.get(5).equals(links.get(2)), "in a run of its own: " + links);
        assertEquals("failure", field(again, "flotilla/broken", "conclusion").get(5));
    }

    @Test
    void aGitlabProjectWithoutAFileRunsItsDefaultSuitesAndGetsPendingThenRunningThenItsVerdict() throws Exception {
        String sha = withoutPipeline.commit(Map.of("test_ok.py", PASSING, "test_bad.py", CiPipelineIT.BROKEN));
        HttpResponse<String> accepted = http.send(WebhookDeliveries.gitlab(cluster.url(), "Push Hook", "gl-1",
                WebhookDeliveries.gitlabPush(sha)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        String path = "/api/v4/projects/group%2Fgadgets/statuses/" + sha;
        await(() -> {
            List<JsonNode> statuses = bodies("POST", path);
            return field(statuses, "flotilla/unit", "state").contains("success")
                    && field(statuses, "flotilla/broken", "state").contains("failed");
        }, "both suites' verdicts");
        Thread.sleep(2000); // a status sent twice would come within this
        List<JsonNode> statuses = bodies("POST", path);
        assertEquals(List.of("pending", "success"), field(statuses, "flotilla", "state"));
        assertEquals("2 suites: unit, broken", field(statuses, "flotilla", "description").get(1),
                "the registration's suites");
        assertEquals(List.of("pending", "running", "success"), field(statuses, "flotilla/unit", "state"));
        assertEquals(List.of("pending", "running", "failed"), field(statuses, "flotilla/broken", "state"));
        assertEquals("0 jobs passed, 1 failed: test_bad.py::test_fails",
                field(statuses, "flotilla/broken", "description").get(2));
        assertTrue(forge.calls().stream().filter(call -> call.path().equals(path))
                .allMatch(call -> call.header("PRIVATE-TOKEN").equals(WebhookDeliveries.STATUS_TOKEN)
                        && call.header("Authorization").isEmpty()));
    }
}
