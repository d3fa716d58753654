package io.flotilla.ci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Reports a commit's statuses to its repository's forge, trying each request again as {@link ForgeRetry} says: as
 * commit statuses with the registration's token, or as {@link CheckRuns} with annotations for a repository with a
 * {@link GithubApp}. A token file is read for every report, so a rotated token is used at once; an installation
 * token is kept until five minutes before it expires, and dropped when a report with it fails. Tokens and keys go
 * only to the registered API and are never logged.
 */
public final class StatusReporter {
    /** An installation token this close to its end is not used any more. */
    private static final long TOKEN_MARGIN_SECONDS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final ForgeRetry retry;
    private final Map<String, InstallationToken> tokens = new ConcurrentHashMap<>();

    public StatusReporter(HttpClient http, ForgeRetry retry) {
        this.http = http;
        this.retry = retry;
    }

    /** How a report ended: taken by the forge, or given up with the reason, after {@code attempts} tries. */
    public record Outcome(boolean reported, int attempts, String reason) {
    }

    /** A request's outcome, and the forge's answer when it took it. */
    private record Sent(Outcome outcome, String body) {
    }

    /** What to do about a forge's answer, and its body. */
    private record Answer(ForgeRetry.Decision decision, String body) {
    }

    private record InstallationToken(String value, long expiresAtSeconds) {
    }

    /** Sends {@code status}; the stage ends when the forge took it or the report was given up. */
    public CompletionStage<Outcome> report(Repository repository, CommitStatus status) {
        return report(repository, status, List.of());
    }

    /** Sends {@code status}, with an annotation per failing test where the forge takes them (Check Runs). */
    public CompletionStage<Outcome> report(Repository repository, CommitStatus status,
                                           List<SuiteRuns.FailedTest> failures) {
        if (repository.app().isPresent()) {
            return checkRun(repository, repository.app().get(), CheckRuns.bodies(status, failures));
        }
        if (repository.statusToken().isEmpty()) {
            return given(new Outcome(false, 0, repository.forge().title() + " repository '" + repository.name()
                    + "' has no status-token-file"));
        }
        String token;
        try {
            token = Files.readString(repository.statusToken().get(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return given(new Outcome(false, 0, "cannot read the status-token-file of '" + repository.name() + "': "
                    + e.getMessage()));
        }
        return attempt(ForgeRequests.status(repository, token, status), 1).thenApply(Sent::outcome);
    }

    /** Creates the check run with the first batch of annotations, then adds the others batch by batch. */
    private CompletionStage<Outcome> checkRun(Repository repository, GithubApp app, List<ObjectNode> bodies) {
        return token(repository, app).thenCompose(token -> !token.outcome().reported() ? given(token.outcome())
                : attempt(ForgeRequests.checkRun(repository, token.body(), bodies.get(0), OptionalLong.empty()), 1)
                        .thenCompose(created -> {
                            OptionalLong id = number(created.body(), "id");
                            if (created.outcome().reported() && id.isEmpty() && bodies.size() > 1) {
                                return given(new Outcome(false, created.outcome().attempts(), "GitHub's answer to "
                                        + "the new check run gave no id to add its other annotations to"));
                            }
                            return annotate(repository, token.body(), id, bodies, 1, created.outcome());
                        }))
                .thenApply(outcome -> {
                    if (!outcome.reported()) {
                        tokens.remove(tokenKey(repository, app));
                    }
                    return outcome;
                });
    }

    private CompletionStage<Outcome> annotate(Repository repository, String token, OptionalLong id,
                                              List<ObjectNode> bodies, int next, Outcome before) {
        if (!before.reported() || next == bodies.size()) {
            return given(before);
        }
        return attempt(ForgeRequests.checkRun(repository, token, bodies.get(next), id), 1).thenCompose(sent ->
                annotate(repository, token, id, bodies, next + 1, new Outcome(sent.outcome().reported(),
                        before.attempts() + sent.outcome().attempts(), sent.outcome().reason())));
    }

    /** The installation's token: the one kept, or a new one for a JWT signed with the app's key. */
    private CompletionStage<Sent> token(Repository repository, GithubApp app) {
        long now = Instant.now().getEpochSecond();
        InstallationToken kept = tokens.get(tokenKey(repository, app));
        if (kept != null && kept.expiresAtSeconds() - now > TOKEN_MARGIN_SECONDS) {
            return CompletableFuture.completedFuture(new Sent(new Outcome(true, 0, ""), kept.value()));
        }
        String jwt;
        try {
            jwt = app.jwt(now);
        } catch (GithubApp.InvalidKeyException e) {
            return CompletableFuture.completedFuture(new Sent(new Outcome(false, 0, e.getMessage()), ""));
        }
        return attempt(ForgeRequests.installationToken(repository, app, jwt), 1).thenApply(sent -> {
            Outcome outcome = sent.outcome();
            if (!outcome.reported()) {
                return new Sent(new Outcome(false, outcome.attempts(), "GitHub gave app " + app.appId()
                        + " no token for installation " + app.installationId() + ": " + outcome.reason()), "");
            }
            try {
                JsonNode answer = JSON.readTree(sent.body());
                String token = answer.path("token").asText();
                if (token.isEmpty()) {
                    throw new IOException("no token in it");
                }
                tokens.put(tokenKey(repository, app), new InstallationToken(token,
                        Instant.parse(answer.path("expires_at").asText()).getEpochSecond()));
                return new Sent(outcome, token);
            } catch (IOException | DateTimeParseException e) {
                return new Sent(new Outcome(false, outcome.attempts(), "GitHub's answer for installation "
                        + app.installationId() + "'s token cannot be used: " + e.getMessage()), "");
            }
        });
    }

    private static String tokenKey(Repository repository, GithubApp app) {
        return repository.apiUrl() + " " + app.appId() + " " + app.installationId();
    }

    private CompletionStage<Sent> attempt(HttpRequest request, int attempt) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            ForgeRetry.Decision decision = failure != null
                    ? retry.decide(attempt, OptionalLong.empty(), "", OptionalLong.empty(), OptionalLong.empty(),
                            OptionalLong.empty(), Instant.now().getEpochSecond())
                    : retry.decide(attempt, OptionalLong.of(response.statusCode()), response.body(),
                            header(response, "Retry-After"), header(response, "X-RateLimit-Remaining"),
                            header(response, "X-RateLimit-Reset"), Instant.now().getEpochSecond());
            return new Answer(decision, failure == null ? response.body() : "");
        }).thenCompose(answer -> {
            ForgeRetry.Decision decision = answer.decision();
            if (decision instanceof ForgeRetry.Done) {
                return CompletableFuture.completedFuture(new Sent(new Outcome(true, attempt, ""), answer.body()));
            }
            if (decision instanceof ForgeRetry.GiveUp giveUp) {
                return CompletableFuture.completedFuture(new Sent(new Outcome(false, attempt, giveUp.reason()), ""));
            }
            Duration delay = ((ForgeRetry.Again) decision).delay();
            Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(() -> null, later).thenCompose(ignored -> attempt(request,
                    attempt + 1));
        });
    }

    private static CompletionStage<Outcome> given(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    private static OptionalLong number(String json, String field) {
        try {
            JsonNode value = JSON.readTree(json).path(field);
            return value.canConvertToLong() ? OptionalLong.of(value.asLong()) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    private static OptionalLong header(HttpResponse<?> response, String header) {
        try {
            return response.headers().firstValue(header).map(value -> OptionalLong.of(Long.parseLong(value.strip())))
                    .orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
