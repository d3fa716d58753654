package io.flotilla.ci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The forges' API requests that report a commit's status, built from the registration and a status: GitHub's
 * {@code POST /repos/{owner}/{repo}/statuses/{sha}} and GitLab's {@code POST /projects/{path}/statuses/{sha}}, each
 * against the registration's API base, so GitHub Enterprise and a self-hosted GitLab work the same.
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
                ? HttpRequest.newBuilder(URI.create(base(repository) + "/repos/" + repository.name() + "/statuses/"
                        + status.sha()))
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "application/vnd.github+json")
                        .header("X-GitHub-Api-Version", "2022-11-28")
                : HttpRequest.newBuilder(URI.create(base(repository) + "/projects/"
                        + URLEncoder.encode(repository.name(), StandardCharsets.UTF_8) + "/statuses/" + status.sha()))
                        .header("PRIVATE-TOKEN", token);
        return request.timeout(TIMEOUT).header("Content-Type", "application/json")
                .header("User-Agent", "flotilla")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private static String base(Repository repository) {
        String api = repository.apiUrl();
        return api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
    }
}
