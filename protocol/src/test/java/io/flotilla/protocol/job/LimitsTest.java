package io.flotilla.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Negative and absurd limits are refused with the field named; sane ones, and "no limit", are kept. */
class LimitsTest {
    @Test
    void defaultsLimitNothingButOutput() {
        assertEquals(0, Limits.DEFAULT.memoryBytes());
        assertEquals(0, Limits.DEFAULT.pids());
        assertEquals(Duration.ZERO, Limits.DEFAULT.timeout());
        assertEquals(64 * Limits.MIB, Limits.DEFAULT.outputLimitBytes());
    }

    @Test
    void refusesNegativeAndAbsurdValuesNamingTheField() {
        assertField("limits.memory", () -> Limits.DEFAULT.withMemoryBytes(-1));
        assertField("limits.memory", () -> Limits.DEFAULT.withMemoryBytes(1024));
        assertField("limits.memory", () -> Limits.DEFAULT.withMemoryBytes(Long.MAX_VALUE));
        assertField("limits.pids", () -> Limits.DEFAULT.withPids(-5));
        assertField("limits.pids", () -> Limits.DEFAULT.withPids(Integer.MAX_VALUE));
        assertField("limits.cpus", () -> Limits.DEFAULT.withCpuMillis(-1000));
        assertField("limits.cpus", () -> Limits.DEFAULT.withCpuMillis(5));
        assertField("limits.timeout", () -> Limits.DEFAULT.withTimeout(Duration.ofSeconds(-1)));
        assertField("limits.timeout", () -> Limits.DEFAULT.withTimeout(Duration.ofDays(365)));
        assertField("limits.killGrace", () -> Limits.DEFAULT.withKillGrace(Duration.ofHours(2)));
        assertField("limits.outputLimit", () -> Limits.DEFAULT.withOutputLimitBytes(0));
        assertField("limits.outputLimit", () -> Limits.DEFAULT.withOutputLimitBytes(Long.MAX_VALUE));
    }

    @Test
    void theMessageSaysWhatWasAskedAndWhatIsAllowed() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Limits.DEFAULT.withMemoryBytes(1024));
        assertEquals("memory limit 1024 bytes is outside 4194304 (4 MiB) .. 17592186044416 (16 TiB)", e.getMessage());
    }

    @Test
    void keepsSaneValues() {
        Limits limits = Limits.DEFAULT.withMemoryBytes(64 * Limits.MIB).withPids(64).withCpuMillis(1500)
                .withTimeout(Duration.ofMinutes(5)).withKillGrace(Duration.ZERO).withOutputLimitBytes(Limits.MIB);
        assertEquals(new Limits(64 * Limits.MIB, 64, 1500, Duration.ofMinutes(5), Duration.ZERO, Limits.MIB), limits);
    }

    static void assertField(String field, Runnable bad) {
        assertEquals(field, assertThrows(InvalidSpecException.class, bad::run).field());
    }
}
