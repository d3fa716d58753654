package io.flotilla.protocol.job;

import static io.flotilla.protocol.job.LimitsTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuantitiesTest {
    @Test
    void readsSizesWithBinarySuffixes() {
        assertEquals(512, Quantities.parseBytes("512", "f"));
        assertEquals(64L << 20, Quantities.parseBytes("64m", "f"));
        assertEquals(64L << 20, Quantities.parseBytes("64MiB", "f"));
        assertEquals(3L << 29, Quantities.parseBytes("1.5g", "f"));
        assertEquals(1L << 40, Quantities.parseBytes("1T", "f"));
    }

    @Test
    void readsDurationsWithUnits() {
        assertEquals(Duration.ofSeconds(30), Quantities.parseDuration("30", "f"));
        assertEquals(Duration.ofMillis(250), Quantities.parseDuration("250ms", "f"));
        assertEquals(Duration.ofMinutes(2), Quantities.parseDuration("2m", "f"));
        assertEquals(Duration.ofMillis(1500), Quantities.parseDuration("1.5s", "f"));
    }

    @Test
    void refusesWhatItCannotRead() {
        assertField("limits.memory", () -> Quantities.parseBytes("-5m", "limits.memory"));
        assertField("limits.memory", () -> Quantities.parseBytes("lots", "limits.memory"));
        assertField("limits.memory", () -> Quantities.parseBytes("99999999999t", "limits.memory"));
        assertField("limits.timeout", () -> Quantities.parseDuration("soon", "limits.timeout"));
        assertField("limits.timeout", () -> Quantities.parseDuration("-1s", "limits.timeout"));
    }
}
