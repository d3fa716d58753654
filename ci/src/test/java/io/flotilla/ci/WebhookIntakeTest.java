package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.ci.CommitEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A delivery's bytes and headers to what the webhook route does with it, for both forges. */
class WebhookIntakeTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static WebhookIntake intake;
    /** The same repositories, registered to run forks' pull requests. */
    private static WebhookIntake forksRun;

    @BeforeAll
    static void register(@TempDir Path none, @TempDir Path run) throws Exception {
        Repositories registered = Repositories.read(TestRepositories.write(none, "none"));
        Repositories forks = Repositories.read(TestRepositories.write(run, "run"));
        intake = new WebhookIntake(() -> registered);
        forksRun = new WebhookIntake(() -> forks);
    }

    /** A pull request event's headers, signed with the registered secret, by lower-case name. */
    private static Map<String, String> signed(String body) {
        return Map.of("x-github-event", "pull_request", "x-github-delivery", "d-1", "x-hub-signature-256",
                sign(TestRepositories.GITHUB_SECRET, body));
    }

    private static WebhookIntake.Outcome github(String event, String body, String... headers) {
        Map<String, String> given = new HashMap<>(signed(body));
        given.put("x-github-event", event);
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i + 1] == null) {
                given.remove(headers[i].toLowerCase(Locale.ROOT));
            } else {
                given.put(headers[i].toLowerCase(Locale.ROOT), headers[i + 1]);
            }
        }
        return intake.read(Forge.GITHUB, name -> Optional.ofNullable(given.get(name.toLowerCase(Locale.ROOT))),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static WebhookIntake.Outcome gitlab(String event, String token, String body) {
        Map<String, String> given = new HashMap<>(Map.of("x-gitlab-event", event, "idempotency-key", "k-1"));
        if (token != null) {
            given.put("x-gitlab-token", token);
        }
        return intake.read(Forge.GITLAB, name -> Optional.ofNullable(given.get(name.toLowerCase(Locale.ROOT))),
                body.getBytes(StandardCharsets.UTF_8));
    }

    static String sign(String secret, String body) {
        return "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmac(secret.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String push(String repository, String sha) {
        return "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"repository\":{\"full_name\":\""
                + repository + "\"}}";
    }

    private static void assertRefused(int status, String field, String messagePart, WebhookIntake.Outcome outcome) {
        WebhookIntake.Refused refused = assertInstanceOf(WebhookIntake.Refused.class, outcome);
        assertEquals(status, refused.status(), refused.toString());
        assertEquals(field, refused.field(), refused.toString());
        assertTrue(refused.message().contains(messagePart), refused.message());
    }

    @Test
    void aSignedPushAsksForItsCommit() {
        WebhookIntake.Accepted accepted = assertInstanceOf(WebhookIntake.Accepted.class,
                github("push", push("acme/widgets", SHA)));
        assertEquals("d-1", accepted.deliveryId());
        assertEquals(new CommitEvent("github",
                "acme/widgets", SHA, "refs/heads/main", CommitEvent.Trigger.PUSH, 0, false),
                accepted.event());
    }

    @Test
    void aForgedMissingOrMalformedSignatureIsRefusedWith401() {
        String body = push("acme/widgets", SHA);
        assertRefused(401, "X-Hub-Signature-256", "does not match", github("push", body, "X-Hub-Signature-256",
                sign("another-secret-of-some-length", body)));
        assertRefused(401, "X-Hub-Signature-256", "does not match", github("push", body, "X-Hub-Signature-256",
                sign(TestRepositories.GITHUB_SECRET, body.replace(SHA, "f".repeat(40)))));
        assertRefused(401, "X-Hub-Signature-256", "does not match", github("push", body, "X-Hub-Signature-256",
                "sha256=not-hex"));
        assertRefused(401, "X-Hub-Signature-256", "not signed", github("push", body, "X-Hub-Signature-256", null));
    }

    @Test
    void anUnknownRepositoryMalformedJsonAndMissingHeadersAreRefused() {
        assertRefused(404, "repository.full_name", "'acme/other' is not registered",
                github("push", push("acme/other", SHA)));
        assertRefused(400, "body", "not JSON", github("push", "{\"ref\": "));
        assertRefused(400, "body", "not a JSON object", github("push", "[1, 2]"));
        assertRefused(400, "repository.full_name", "names no repository", github("push", "{}"));
        assertRefused(400, "X-GitHub-Delivery", "no X-GitHub-Delivery", github("push", push("acme/widgets", SHA),
                "X-GitHub-Delivery", null));
        assertRefused(400, "X-GitHub-Delivery", "1 to 128", github("push", push("acme/widgets", SHA),
                "X-GitHub-Delivery", "a b"));
        assertRefused(400, "sha", "40 lowercase hex digits", github("push", push("acme/widgets", "HEAD")));
        assertRefused(404, "project.path_with_namespace", "GitLab repository 'acme/widgets'",
                gitlab("Push Hook", TestRepositories.GITHUB_SECRET, "{\"project\":{\"path_with_namespace\":"
                        + "\"acme/widgets\"}}"));
    }

    @Test
    void anEventThatIsNotHandledIsRefusedAndOneThatAsksForNothingIsIgnored() {
        assertRefused(400, "X-GitHub-Event", "'issues' is not one Flotilla handles",
                github("issues", push("acme/widgets", SHA)));
        assertInstanceOf(WebhookIntake.Ignored.class, github("ping", "{\"zen\":\"Keep it simple.\","
                + "\"repository\":{\"full_name\":\"acme/widgets\"}}"));
        assertInstanceOf(WebhookIntake.Ignored.class, github("push", push("acme/widgets", "0".repeat(40))));
        assertInstanceOf(WebhookIntake.Ignored.class, github("pull_request", pullRequest("closed", "acme/widgets")));
        assertInstanceOf(WebhookIntake.Ignored.class, github("check_run", "{\"action\":\"completed\","
                + "\"repository\":{\"full_name\":\"acme/widgets\"}}"));
    }

    private static String pullRequest(String action, String headRepository) {
        return "{\"action\":\"" + action + "\",\"number\":7,\"pull_request\":{\"head\":{\"sha\":\"" + SHA
                + "\",\"ref\":\"feature\",\"repo\":{\"full_name\":\"" + headRepository + "\"}}},"
                + "\"repository\":{\"full_name\":\"acme/widgets\"}}";
    }

    @Test
    void aPullRequestKnowsItsNumberAndWhetherItComesFromAFork() {
        WebhookIntake.Accepted own = assertInstanceOf(WebhookIntake.Accepted.class,
                github("pull_request", pullRequest("synchronize", "acme/widgets")));
        assertEquals(new CommitEvent("github",
                "acme/widgets", SHA, "feature", CommitEvent.Trigger.PULL_REQUEST, 7, false),
                own.event());
        assertEquals("github:acme/widgets@" + SHA, own.event().commitKey(), "the same work as a push of that commit");
        WebhookIntake.Ignored fork = assertInstanceOf(WebhookIntake.Ignored.class,
                github("pull_request", pullRequest("opened", "mallory/widgets")));
        assertEquals("pull request 7 comes from a fork, and the registration of 'acme/widgets' runs nothing for "
                + "forks", fork.reason());
        WebhookIntake.Accepted allowed = assertInstanceOf(WebhookIntake.Accepted.class, forksRun.read(Forge.GITHUB,
                name -> Optional.ofNullable(signed(pullRequest("opened", "mallory/widgets")).get(
                        name.toLowerCase(Locale.ROOT))), pullRequest("opened", "mallory/widgets")
                        .getBytes(StandardCharsets.UTF_8)));
        assertTrue(allowed.event().fromFork());
        assertEquals("github:acme/widgets@" + SHA + "+fork", allowed.event().commitKey());
        WebhookIntake.Accepted rerun = assertInstanceOf(WebhookIntake.Accepted.class, github("check_suite",
                "{\"action\":\"rerequested\",\"check_suite\":{\"head_sha\":\"" + SHA + "\",\"head_branch\":\"main\"},"
                        + "\"repository\":{\"full_name\":\"acme/widgets\"}}"));
        assertEquals(CommitEvent.Trigger.RERUN, rerun.event().trigger());
    }

    @Test
    void gitlabChecksItsTokenAndReadsPushesAndMergeRequests() {
        String push = "{\"ref\":\"refs/heads/main\",\"after\":\"" + SHA + "\",\"checkout_sha\":\"" + SHA + "\","
                + "\"project\":{\"path_with_namespace\":\"group/sub/gadgets\"}}";
        assertRefused(401, "X-Gitlab-Token", "not the repository's secret token",
                gitlab("Push Hook", "wrong-token-wrong-token", push));
        assertRefused(401, "X-Gitlab-Token", "no X-Gitlab-Token", gitlab("Push Hook", null, push));
        WebhookIntake.Accepted accepted = assertInstanceOf(WebhookIntake.Accepted.class,
                gitlab("Push Hook", TestRepositories.GITLAB_SECRET, push));
        assertEquals("k-1", accepted.deliveryId());
        assertEquals("group/sub/gadgets", accepted.event().repository());
        String merge = "{\"object_attributes\":{\"action\":\"update\",\"iid\":3,\"source_branch\":\"f\","
                + "\"source_project_id\":4,\"target_project_id\":4,\"oldrev\":\"" + "1".repeat(40) + "\","
                + "\"last_commit\":{\"id\":\"" + SHA + "\"}},\"project\":{\"path_with_namespace\":"
                + "\"group/sub/gadgets\"}}";
        WebhookIntake.Accepted request = assertInstanceOf(WebhookIntake.Accepted.class,
                gitlab("Merge Request Hook", TestRepositories.GITLAB_SECRET, merge));
        assertEquals(new CommitEvent("gitlab",
                "group/sub/gadgets", SHA, "f", CommitEvent.Trigger.PULL_REQUEST, 3, false),
                request.event());
        assertInstanceOf(WebhookIntake.Ignored.class, gitlab("Merge Request Hook", TestRepositories.GITLAB_SECRET,
                merge.replace("\"source_project_id\":4", "\"source_project_id\":9")), "from a fork, forks: none");
        assertInstanceOf(WebhookIntake.Ignored.class, gitlab("Merge Request Hook", TestRepositories.GITLAB_SECRET,
                merge.replace(",\"oldrev\":\"" + "1".repeat(40) + "\"", "")), "a title edit brings no commit");
        assertRefused(400, "X-Gitlab-Event", "'Issue Hook' is not one Flotilla handles",
                gitlab("Issue Hook", TestRepositories.GITLAB_SECRET, push));
    }
}
