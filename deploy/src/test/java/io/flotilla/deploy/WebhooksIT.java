package io.flotilla.deploy;

import static io.flotilla.deploy.WebhookDeliveries.pullRequest;
import static io.flotilla.deploy.WebhookDeliveries.push;
import static io.flotilla.deploy.WebhookDeliveries.sign;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitHub's and GitLab's webhooks over real HTTP on an embedded node with its H2 journal: each refused delivery's
 * status and JSON error, with nothing recorded; a fork's pull request ignored, as its registration says; a delivery
 * recorded once, also across a restart of the node; a commit asked for by many deliveries at once recorded as new
 * once.
 */
class WebhooksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private record Answer(int status, JsonNode body) {
    }

    /** The node's state: the journal, which must outlive the node here; only its owner may read it. */
    private Path dataDir() throws Exception {
        return Files.createDirectories(dir.resolve("data"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    private EmbeddedCluster start(Path dataDir) throws Exception {
        return EmbeddedCluster.start(1, Map.of("flotilla.ci.repositories-file",
                WebhookDeliveries.registration(dir).toString(), "flotilla.data-dir", dataDir.toString()));
    }

    private static Answer post(EmbeddedCluster cluster, String forge, byte[] body, String... headers)
            throws Exception {
        return send(WebhookDeliveries.request(cluster.url(), forge, body, headers));
    }

    private static Answer github(EmbeddedCluster cluster, String event, String delivery, String body)
            throws Exception {
        return send(WebhookDeliveries.github(cluster.url(), event, delivery, body));
    }

    private static Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""),
                "every answer is JSON: " + response.body());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    private static void assertError(int status, String messagePart, Answer answer) {
        assertEquals(status, answer.status(), answer.body().toString());
        assertTrue(answer.body().path("error").asText().contains(messagePart), answer.body().toString());
    }

    @Test
    void aDeliveryIsRecordedOnceAlsoAfterTheNodeRestartsAndPushAndPullRequestAreOneCommit() throws Exception {
        Path dataDir = dataDir();
        String sha = "1".repeat(40);
        try (EmbeddedCluster cluster = start(dataDir)) {
            Answer first = github(cluster, "push", "d-1", push(sha));
            assertEquals(202, first.status(), first.body().toString());
            assertEquals("github:acme/widgets@" + sha, first.body().get("commit").asText());
            assertTrue(first.body().get("newCommit").asBoolean());
            Answer again = github(cluster, "push", "d-1", push(sha));
            assertEquals(200, again.status(), again.body().toString());
            assertTrue(again.body().get("seenBefore").asBoolean());
            Answer pullRequest = github(cluster, "pull_request", "d-2", pullRequest(sha));
            assertEquals(202, pullRequest.status(), pullRequest.body().toString());
            assertTrue(!pullRequest.body().get("newCommit").asBoolean(), "the push asked for the same commit");
            Answer ping = github(cluster, "ping", "d-3", "{\"zen\":\"Design for failure.\",\"repository\":"
                    + "{\"full_name\":\"acme/widgets\"}}");
            assertEquals(200, ping.status(), ping.body().toString());
            assertTrue(ping.body().get("ignored").asText().startsWith("ping"), ping.body().toString());
            Answer fork = github(cluster, "pull_request", "d-4", pullRequest("5".repeat(40)).replace(
                    "\"repo\":{\"full_name\":\"acme/widgets\"}", "\"repo\":{\"full_name\":\"mallory/w\"}"));
            assertEquals(200, fork.status(), fork.body().toString());
            assertTrue(fork.body().get("ignored").asText().contains("runs nothing for forks"), fork.body().toString());
        }
        try (EmbeddedCluster restarted = start(dataDir)) {
            Answer redelivered = github(restarted, "push", "d-1", push(sha));
            assertEquals(200, redelivered.status(), redelivered.body().toString());
            assertTrue(redelivered.body().get("seenBefore").asBoolean(), "the journal kept it");
        }
    }

    /** {@code flotilla repo add} registers a repository with a new secret, and the running node takes it at once. */
    @Test
    void aRepositoryAddedWhileTheNodeRunsIsTakenWithItsNewSecret() throws Exception {
        try (EmbeddedCluster cluster = start(dataDir())) {
            Path registration = dir.resolve("repositories.yml");
            Distribution.Result refused = Distribution.flotilla(dir, Map.of(), List.of("repo", "add", "--file",
                    registration.toString(), "--forge", "bitbucket", "--name", "acme/new", "--clone-url", "x"));
            assertEquals(125, refused.status(), refused.toString());
            assertTrue(refused.stderr().contains("--forge is github or gitlab, got 'bitbucket'"), refused.toString());
            Distribution.Result halfAnApp = Distribution.flotilla(dir, Map.of(), List.of("repo", "add", "--file",
                    registration.toString(), "--forge", "github", "--name", "acme/new", "--clone-url", "x",
                    "--app-id", "4242"));
            assertEquals(125, halfAnApp.status(), halfAnApp.toString());
            assertTrue(halfAnApp.stderr().contains("--app-id, --installation-id and --app-key-file go together"),
                    halfAnApp.toString());
            Distribution.Result added = Distribution.flotilla(dir, Map.of(), List.of("repo", "add", "--file",
                    registration.toString(), "--forge", "github", "--name", "acme/new", "--clone-url",
                    "https://github.com/acme/new.git"));
            assertEquals(0, added.status(), added.toString());
            Path secret = dir.resolve("secrets/github-acme-new.secret");
            assertTrue(added.stdout().contains("/v1/webhooks/github, content type application/json, secret: the "
                    + "contents of " + secret), added.toString());
            byte[] body = push("6".repeat(40)).replace("acme/widgets", "acme/new").getBytes(StandardCharsets.UTF_8);
            Answer answer = post(cluster, "github", body, "X-GitHub-Event", "push", "X-GitHub-Delivery", "new-1",
                    "X-Hub-Signature-256", sign(Files.readString(secret).strip(), body));
            assertEquals(202, answer.status(), answer.body().toString());
            assertEquals(401, github(cluster, "push", "new-2", push("6".repeat(40)).replace("acme/widgets",
                    "acme/new")).status(), "signed with another repository's secret");
        }
    }

    @Test
    void twentyDeliveriesAtOnceForOneCommitRecordItAsNewOnce() throws Exception {
        try (EmbeddedCluster cluster = start(dataDir())) {
            String sha = "2".repeat(40);
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String delivery = "burst-" + i;
                boolean asPush = i % 2 == 0;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return github(cluster, asPush ? "push" : "pull_request", delivery,
                                asPush ? push(sha) : pullRequest(sha));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            int fresh = 0;
            for (CompletableFuture<Answer> answer : answers) {
                Answer got = answer.get();
                assertEquals(202, got.status(), got.body().toString());
                fresh += got.body().get("newCommit").asBoolean() ? 1 : 0;
            }
            assertEquals(1, fresh, "one of the twenty is the commit's first");
        }
    }

    @Test
    void eachBadDeliveryGetsItsStatusAndJsonErrorAndRecordsNothing() throws Exception {
        try (EmbeddedCluster cluster = start(dataDir())) {
            String sha = "3".repeat(40);
            byte[] body = push(sha).getBytes(StandardCharsets.UTF_8);
            assertError(401, "does not match", post(cluster, "github", body, "X-GitHub-Event", "push",
                    "X-GitHub-Delivery", "bad-1", "X-Hub-Signature-256", sign(push("4".repeat(40))
                            .getBytes(StandardCharsets.UTF_8))));
            assertError(401, "not signed", post(cluster, "github", body, "X-GitHub-Event", "push",
                    "X-GitHub-Delivery", "bad-2"));
            String gitlabPush = "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"checkout_sha\":\"" + sha
                    + "\",\"project\":{\"path_with_namespace\":\"group/gadgets\"}}";
            assertError(401, "not the repository's secret token", post(cluster, "gitlab",
                    gitlabPush.getBytes(StandardCharsets.UTF_8), "X-Gitlab-Event", "Push Hook", "Idempotency-Key",
                    "bad-3", "X-Gitlab-Token", "guessed-token-guessed"));
            assertError(404, "'acme/other' is not registered", github(cluster, "push", "bad-4",
                    push(sha).replace("acme/widgets", "acme/other")));
            byte[] huge = new byte[30 << 20];
            java.util.Arrays.fill(huge, (byte) ' ');
            assertError(413, "at most 26214400 bytes", post(cluster, "github", huge, "X-GitHub-Event", "push",
                    "X-GitHub-Delivery", "bad-5", "X-Hub-Signature-256", sign(huge)));
            assertError(400, "not JSON", github(cluster, "push", "bad-6", "{\"after\": "));
            assertError(400, "'issues' is not one Flotilla handles", github(cluster, "issues", "bad-7", push(sha)));
            Answer valid = github(cluster, "push", "good-1", push(sha));
            assertEquals(202, valid.status(), valid.body().toString());
            assertTrue(valid.body().get("newCommit").asBoolean(), "no refused delivery recorded the commit");
            Answer gitlab = post(cluster, "gitlab", gitlabPush.getBytes(StandardCharsets.UTF_8), "X-Gitlab-Event",
                    "Push Hook", "Idempotency-Key", "good-2", "X-Gitlab-Token", WebhookDeliveries.TOKEN);
            assertEquals(202, gitlab.status(), gitlab.body().toString());
            assertEquals("gitlab:group/gadgets@" + sha, gitlab.body().get("commit").asText());
        }
    }
}
