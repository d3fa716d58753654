package io.flotilla.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An operator's defaults and maxima: a job gets them when it asks for nothing, and cannot ask past them. */
class LimitPolicyTest {
    private static final LimitPolicy POLICY = new LimitPolicy(Limits.DEFAULT.withTimeout(Duration.ofMinutes(10)),
            16L << 30, 1000, Duration.ofHours(1), 256 * Limits.MIB);

    private static LimitOptions asking(String memory, Integer pids, String timeout, String output) {
        return new LimitOptions(memory, pids, null, timeout, null, output);
    }

    @Test
    void aJobThatAsksForNothingGetsTheDefaultOrElseTheMaximum() {
        Limits limits = POLICY.apply(asking(null, null, null, null));
        assertEquals(16L << 30, limits.memoryBytes());
        assertEquals(1000, limits.pids());
        assertEquals(Duration.ofMinutes(10), limits.timeout(), "the default, not the maximum");
        assertEquals(64 * Limits.MIB, limits.outputLimitBytes());
        assertEquals(Limits.DEFAULT, LimitPolicy.NONE.apply(asking(null, null, null, null)));
    }

    @Test
    void whatIsWithinTheMaximaIsKept() {
        Limits limits = POLICY.apply(asking("2g", 50, "1h", "256m"));
        assertEquals(2L << 30, limits.memoryBytes());
        assertEquals(50, limits.pids());
        assertEquals(Duration.ofHours(1), limits.timeout());
        assertEquals(256 * Limits.MIB, limits.outputLimitBytes());
    }

    @Test
    void askingPastAMaximumIsRefusedNamingItAndTheSetting() {
        assertRefused("limits.memory", "64 GiB of memory is more than this cluster allows a job: at most 16 GiB "
                + "(flotilla.limits.max.memory)", asking("64g", null, null, null));
        assertRefused("limits.pids", "5000 processes is more than this cluster allows a job: at most 1000 processes "
                + "(flotilla.limits.max.pids)", asking(null, 5000, null, null));
        assertRefused("limits.timeout", "a timeout of 2h is more than this cluster allows a job: at most 1h "
                + "(flotilla.limits.max.timeout)", asking(null, null, "2h", null));
        assertRefused("limits.timeout", "no timeout is more than this cluster allows a job: at most 1h "
                + "(flotilla.limits.max.timeout)", asking(null, null, "0", null));
        assertRefused("limits.outputLimit", "keeping 1 GiB of output is more than this cluster allows a job: at most "
                + "256 MiB (flotilla.limits.max.output-limit)", asking(null, null, null, "1g"));
    }

    private static void assertRefused(String field, String message, LimitOptions asked) {
        InvalidSpecException refused = assertThrows(InvalidSpecException.class, () -> POLICY.apply(asked));
        assertEquals(field, refused.field());
        assertEquals(message, refused.getMessage());
    }
}
