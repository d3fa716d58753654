package io.flotilla.ci;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether a forge's answer to a status report calls for another try, and when: a server error or a lost connection
 * is tried again with exponential backoff; a rate limit (429, or 403 with {@code Retry-After} or no requests left)
 * waits as long as the forge says; any other 4xx (a bad token, an unknown repository, an invalid status) will not
 * change by trying again, and is given up at once, with the forge's own message.
 *
 * @param firstDelay the wait before the second try, doubled for each further one
 * @param maxDelay the longest wait, also for a rate limit that asks for longer
 * @param maxAttempts how many tries in all
 */
public record ForgeRetry(Duration firstDelay, Duration maxDelay, int maxAttempts) {
    /** From a second to five minutes, ten tries: about twenty minutes of a forge's outage. */
    public static final ForgeRetry DEFAULT = new ForgeRetry(Duration.ofSeconds(1), Duration.ofMinutes(5), 10);

    /** What to do after try {@code attempt} (1 for the first). */
    public sealed interface Decision {
    }

    /** The forge took it. */
    public record Done() implements Decision {
    }

    /** Try again after {@code delay}. */
    public record Again(Duration delay) implements Decision {
    }

    /** Stop: trying again would not help, or the tries are used up. */
    public record GiveUp(String reason) implements Decision {
    }

    /**
     * @param status the HTTP status, or empty when no answer came (the connection failed or timed out)
     * @param retryAfterSeconds the answer's {@code Retry-After}, if any
     * @param rateLimitRemaining the answer's {@code X-RateLimit-Remaining}, if any
     * @param rateLimitResetEpochSeconds the answer's {@code X-RateLimit-Reset}, if any
     * @param nowEpochSeconds the time, as a parameter
     */
    public Decision decide(int attempt, OptionalLong status, String body, OptionalLong retryAfterSeconds,
                           OptionalLong rateLimitRemaining, OptionalLong rateLimitResetEpochSeconds,
                           long nowEpochSeconds) {
        if (status.isPresent() && status.getAsLong() >= 200 && status.getAsLong() < 300) {
            return new Done();
        }
        boolean rateLimited = status.isPresent() && (status.getAsLong() == 429 || status.getAsLong() == 403
                && (retryAfterSeconds.isPresent() || rateLimitRemaining.orElse(1) == 0));
        String what = status.isPresent() ? "HTTP " + status.getAsLong() + (body.isBlank() ? "" : ": "
                + firstLine(body)) : "no answer";
        if (!rateLimited && status.isPresent() && status.getAsLong() < 500) {
            return new GiveUp(what);
        }
        if (attempt >= maxAttempts) {
            return new GiveUp(what + ", after " + attempt + " tries");
        }
        Optional<Duration> asked = !rateLimited ? Optional.empty() : retryAfterSeconds.isPresent()
                ? Optional.of(Duration.ofSeconds(retryAfterSeconds.getAsLong()))
                : rateLimitResetEpochSeconds.isPresent()
                        ? Optional.of(Duration.ofSeconds(Math.max(1, rateLimitResetEpochSeconds.getAsLong()
                                - nowEpochSeconds)))
                        : Optional.empty();
        Duration backoff = firstDelay.multipliedBy(1L << Math.min(30, attempt - 1));
        Duration delay = asked.orElse(backoff);
        return new Again(delay.compareTo(maxDelay) > 0 ? maxDelay : delay);
    }

    private static String firstLine(String body) {
        String line = body.strip().lines().findFirst().orElse("");
        return line.length() <= 300 ? line : line.substring(0, 300) + "…";
    }
}
