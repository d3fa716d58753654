package io.flotilla.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which kept entries of a store to remove so that it stays within its budget: every entry older than the maximum
 * age, then the least recently used until what is left fits the size budget and the disk keeps its free space.
 * Pure: the caller lists the entries and removes what this returns.
 */
final class Eviction {
    /** One unit of a store: a blob, or the kept output of one run. */
    record Entry(Path path, long bytes, Instant lastUsed) {
    }

    private Eviction() {
    }

    /**
     * @param budgetBytes the most the store may hold
     * @param maxAge how long an entry may stay unused
     * @param mustFree how many more bytes the disk needs free, beyond what the budget frees; 0 for none
     */
    static List<Entry> toRemove(List<Entry> entries, long budgetBytes, Duration maxAge, long mustFree, Instant now) {
        List<Entry> byAge = new ArrayList<>(entries);
        byAge.sort(Comparator.comparing(Entry::lastUsed));
        long total = byAge.stream().mapToLong(Entry::bytes).sum();
        long target = Math.min(budgetBytes, total - mustFree);
        List<Entry> remove = new ArrayList<>();
        Instant oldest = now.minus(maxAge);
        for (Entry entry : byAge) {
            if (entry.lastUsed().isBefore(oldest) || total > target) {
                remove.add(entry);
                total -= entry.bytes();
            }
        }
        return remove;
    }
}
