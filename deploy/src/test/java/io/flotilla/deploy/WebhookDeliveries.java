package io.flotilla.deploy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook deliveries as GitHub and GitLab send them, for tests and benchmarks: a registration file for one repository
 * of each forge, and signed requests.
 */
final class WebhookDeliveries {
    static final String SECRET = "github-webhook-secret-0123456789";
    static final String TOKEN = "gitlab-webhook-token-0123456789";
    static final String STATUS_TOKEN = "github-status-token-0123456789";

    private WebhookDeliveries() {
    }

    /** Writes the registration of {@code acme/widgets} (GitHub) and {@code group/gadgets} (GitLab) into dir. */
    static Path registration(Path dir) throws Exception {
        return registration(dir, "https://github.com/acme/widgets.git", null, "none");
    }

    /**
     * Writes the registration of {@code acme/widgets} (GitHub), cloned from {@code cloneUrl} and reporting to
     * {@code apiUrl} with the token {@link #STATUS_TOKEN} (no reports when null), and of {@code group/gadgets}
     * (GitLab) into dir.
     */
    static Path registration(Path dir, String cloneUrl, String apiUrl, String forks) throws Exception {
        String reports = apiUrl == null ? "" : ", api-url: \"" + apiUrl + "\", status-token-file: status.token";
        return registration(dir, "forks: " + forks + ", clone-url: \"" + cloneUrl + "\"" + reports,
                "clone-url: \"https://gitlab.com/group/gadgets.git\"");
    }

    /**
     * Writes the registration of {@code acme/widgets} (GitHub) and {@code group/gadgets} (GitLab) into dir, each with
     * its secret and the given fields; the token {@link #STATUS_TOKEN} is in {@code status.token}.
     */
    static Path registration(Path dir, String githubFields, String gitlabFields) throws Exception {
        for (String[] secret : List.of(new String[] {"github.secret", SECRET}, new String[] {"gitlab.secret", TOKEN},
                new String[] {"status.token", STATUS_TOKEN})) {
            Path file = Files.writeString(dir.resolve(secret[0]), secret[1]);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return Files.writeString(dir.resolve("repositories.yml"), """
                repositories:
                  - {name: acme/widgets, forge: github, secret-file: github.secret, %s}
                  - {name: group/gadgets, forge: gitlab, secret-file: gitlab.secret, %s}
                """.formatted(githubFields, gitlabFields));
    }

    /** A delivery to {@code url}'s webhook of {@code forge}, with the given headers. */
    static HttpRequest.Builder request(String url, String forge, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/v1/webhooks/" + forge))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    /** A GitHub delivery of {@code event}, signed with the registered secret. */
    static HttpRequest.Builder github(String url, String event, String delivery, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return request(url, "github", bytes, "X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
                "X-Hub-Signature-256", sign(bytes));
    }

    static String sign(byte[] body) {
        return sign(SECRET, body);
    }

    /** The body's {@code X-Hub-Signature-256} under {@code secret}. */
    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    /** A GitLab delivery of {@code event} with the registered token. */
    static HttpRequest.Builder gitlab(String url, String event, String delivery, String body) {
        return request(url, "gitlab", body.getBytes(StandardCharsets.UTF_8), "X-Gitlab-Event", event,
                "Idempotency-Key", delivery, "X-Gitlab-Token", TOKEN);
    }

    /** A GitLab push of {@code sha} to main of {@code group/gadgets}. */
    static String gitlabPush(String sha) {
        return "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"checkout_sha\":\"" + sha
                + "\",\"project\":{\"path_with_namespace\":\"group/gadgets\"}}";
    }

    /** A GitHub push of {@code sha} to main. */
    static String push(String sha) {
        return "{\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\",\"repository\":{\"full_name\":"
                + "\"acme/widgets\"}}";
    }

    /** A GitHub pull request opened with head {@code sha}. */
    static String pullRequest(String sha) {
        return pullRequest(sha, "acme/widgets");
    }

    /** A GitHub pull request opened with head {@code sha} from the repository {@code head}, a fork when not ours. */
    static String pullRequest(String sha, String head) {
        return "{\"action\":\"opened\",\"number\":7,\"pull_request\":{\"head\":{\"sha\":\"" + sha + "\","
                + "\"ref\":\"feature\",\"repo\":{\"full_name\":\"" + head + "\"}}},\"repository\":{\"full_name\":"
                + "\"acme/widgets\"}}";
    }
}
