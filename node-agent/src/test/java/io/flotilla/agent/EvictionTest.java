package io.flotilla.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sweep removes: what is too old, then the least recently used until the rest fits. */
class EvictionTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static Eviction.Entry entry(String name, long bytes, Duration age) {
        return new Eviction.Entry(Path.of(name), bytes, NOW.minus(age));
    }

    private static List<String> removed(List<Eviction.Entry> entries, long budget, Duration maxAge, long mustFree) {
        return Eviction.toRemove(entries, budget, maxAge, mustFree, NOW).stream()
                .map(entry -> entry.path().toString()).toList();
    }

    @Test
    void removesWhatIsTooOldThenTheLeastRecentlyUsedUntilTheRestFits() {
        List<Eviction.Entry> entries = List.of(entry("new", 40, Duration.ofHours(1)),
                entry("ancient", 1, Duration.ofDays(9)), entry("old", 40, Duration.ofDays(2)),
                entry("older", 40, Duration.ofDays(3)));
        assertEquals(List.of("ancient"), removed(entries, 1000, Duration.ofDays(7), 0));
        assertEquals(List.of("ancient", "older"), removed(entries, 100, Duration.ofDays(7), 0));
        assertEquals(List.of("ancient", "older", "old"), removed(entries, 100, Duration.ofDays(7), 50),
                "and more when the disk needs space back");
        assertEquals(List.of(), removed(List.of(entry("fresh", 10, Duration.ZERO)), 100, Duration.ofDays(7), 0));
    }
}
