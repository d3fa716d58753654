package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which forge answers are tried again, and after how long. */
class ForgeRetryTest {
    private static final ForgeRetry RETRY = ForgeRetry.DEFAULT;
    private static final long NOW = 1_700_000_000L;

    private static ForgeRetry.Decision decide(int attempt, long status, long retryAfter, long remaining, long reset) {
        return RETRY.decide(attempt, status < 0 ? OptionalLong.empty() : OptionalLong.of(status), "",
                retryAfter < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfter),
                remaining < 0 ? OptionalLong.empty() : OptionalLong.of(remaining),
                reset < 0 ? OptionalLong.empty() : OptionalLong.of(reset), NOW);
    }

    @Test
    void serverErrorsBackOffExponentiallyUpToTheCapAndRateLimitsWaitAsLongAsAsked() {
        assertInstanceOf(ForgeRetry.Done.class, decide(1, 201, -1, -1, -1));
        assertEquals(new ForgeRetry.Again(Duration.ofSeconds(1)), decide(1, 502, -1, -1, -1));
        assertEquals(new ForgeRetry.Again(Duration.ofSeconds(4)), decide(3, -1, -1, -1, -1));
        assertEquals(new ForgeRetry.Again(Duration.ofSeconds(256)), decide(9, 500, -1, -1, -1));
        assertEquals(new ForgeRetry.Again(Duration.ofMinutes(5)), new ForgeRetry(Duration.ofSeconds(1),
                Duration.ofMinutes(5), 20).decide(12, OptionalLong.of(500), "", OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), NOW), "2,048 s, capped");
        assertEquals(new ForgeRetry.Again(Duration.ofSeconds(30)), decide(1, 429, 30, -1, -1));
        assertEquals(new ForgeRetry.Again(Duration.ofSeconds(120)), decide(1, 403, -1, 0, NOW + 120));
        assertEquals(new ForgeRetry.Again(Duration.ofMinutes(5)), decide(1, 403, -1, 0, NOW + 3600));
        assertInstanceOf(ForgeRetry.GiveUp.class, decide(1, 403, -1, 12, -1), "forbidden, not rate-limited");
        assertInstanceOf(ForgeRetry.GiveUp.class, decide(1, 422, -1, -1, -1));
        assertEquals(new ForgeRetry.GiveUp("no answer, after 10 tries"), decide(10, -1, -1, -1, -1));
    }
}
