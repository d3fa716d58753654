package io.flotilla.ci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The forges' API requests that report a commit's status, built from the registration and a status: GitHub's
 * {@code POST /repos/{owner}/{repo}/statuses/{sha}} and GitLab's {@code POST /projects/{path}/statuses/{sha}}; for a
 * GitHub App, the installation token's {@code POST /app/installations/{id}/access_tokens} and the check runs'
 * {@code POST /repos/{owner}/{repo}/check-runs} and {@code PATCH .../check-runs/{id}}. Each goes to the
 * registration's API base, so GitHub Enterprise and a self-hosted GitLab work the same.
 */
final class ForgeRequests {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ForgeRequests() {
    }

    static HttpRequest status(Repository repository, String token, CommitStatus status) {
        boolean github = repository.forge() == Forge.GITHUB;
        ObjectNode body = JSON.createObjectNode().put("state", github ? status.githubState() : status.gitlabState())
                .put(github ? "context" : "name", status.context()).put("description", status.description());
        if (!status.targetUrl().isEmpty()) {
            body.put("target_url", status.targetUrl());
        }
        HttpRequest.Builder request = github
                ? github(repository, "/repos/" + repository.name() + "/statuses/" + status.sha(), token)
                : HttpRequest.newBuilder(URI.create(base(repository) + "/projects/"
                        + URLEncoder.encode(repository.name(), StandardCharsets.UTF_8) + "/statuses/" + status.sha()))
                        .header("PRIVATE-TOKEN", token);
        return json(request, "POST", body);
    }

    /** Creates a check run, or with {@code id} updates that one. */
    static HttpRequest checkRun(Repository repository, String token, ObjectNode body, OptionalLong id) {
        String path = "/repos/" + repository.name() + "/check-runs";
        return id.isPresent() ? json(github(repository, path + "/" + id.getAsLong(), token), "PATCH", body)
                : json(github(repository, path, token), "POST", body);
    }

    /** Trades the app's JWT for a token of the repository's installation. */
    static HttpRequest installationToken(Repository repository, GithubApp app, String jwt) {
        return json(github(repository, "/app/installations/" + app.installationId() + "/access_tokens", jwt), "POST",
                JSON.createObjectNode());
    }

    private static HttpRequest.Builder github(Repository repository, String path, String bearer) {
        return HttpRequest.newBuilder(URI.create(base(repository) + path))
                .header("Authorization", "Bearer " + bearer)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28");
    }

    private static HttpRequest json(HttpRequest.Builder request, String method, ObjectNode body) {
        return request.timeout(TIMEOUT).header("Content-Type", "application/json").header("User-Agent", "flotilla")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private static String base(Repository repository) {
        String api = repository.apiUrl();
        return api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
    }
}
