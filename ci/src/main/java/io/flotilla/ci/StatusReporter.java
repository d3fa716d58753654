package io.flotilla.ci;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Reports commit statuses to a repository's forge, trying again as {@link ForgeRetry} says. The token is read from
 * the registration's file for every report, so a rotated token is used at once; it is sent only to the registered
 * API and never logged.
 */
public final class StatusReporter {
    private final HttpClient http;
    private final ForgeRetry retry;

    public StatusReporter(HttpClient http, ForgeRetry retry) {
        this.http = http;
        this.retry = retry;
    }

    /** How a report ended: taken by the forge, or given up with the reason, after {@code attempts} tries. */
    public record Outcome(boolean reported, int attempts, String reason) {
    }

    /** Sends {@code status}; the stage ends when the forge took it or the report was given up. */
    public CompletionStage<Outcome> report(Repository repository, CommitStatus status) {
        if (repository.statusToken().isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome(false, 0, repository.forge().title()
                    + " repository '" + repository.name() + "' has no status-token-file"));
        }
        String token;
        try {
            token = Files.readString(repository.statusToken().get(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Outcome(false, 0, "cannot read the status-token-file of '"
                    + repository.name() + "': " + e.getMessage()));
        }
        return attempt(ForgeRequests.status(repository, token, status), 1);
    }

    private CompletionStage<Outcome> attempt(HttpRequest request, int attempt) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) ->
                failure != null
                        ? retry.decide(attempt, OptionalLong.empty(), "", OptionalLong.empty(), OptionalLong.empty(),
                                OptionalLong.empty(), Instant.now().getEpochSecond())
                        : retry.decide(attempt, OptionalLong.of(response.statusCode()), response.body(),
                                number(response, "Retry-After"), number(response, "X-RateLimit-Remaining"),
                                number(response, "X-RateLimit-Reset"), Instant.now().getEpochSecond())
        ).thenCompose(decision -> {
            if (decision instanceof ForgeRetry.Done) {
                return CompletableFuture.completedFuture(new Outcome(true, attempt, ""));
            }
            if (decision instanceof ForgeRetry.GiveUp giveUp) {
                return CompletableFuture.completedFuture(new Outcome(false, attempt, giveUp.reason()));
            }
            Duration delay = ((ForgeRetry.Again) decision).delay();
            Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(() -> null, later).thenCompose(ignored -> attempt(request,
                    attempt + 1));
        });
    }

    private static OptionalLong number(HttpResponse<?> response, String header) {
        try {
            return response.headers().firstValue(header).map(value -> OptionalLong.of(Long.parseLong(value.strip())))
                    .orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
