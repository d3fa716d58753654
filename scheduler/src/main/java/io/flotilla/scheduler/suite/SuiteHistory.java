package io.flotilla.scheduler.suite;

import io.flotilla.protocol.suite.TestVerdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long each test of each suite took, and whether it failed, the last time it ran: the scheduler puts new and
 * last-failed tests first and the rest longest first, so that a suite's wall time nears the best its slots allow.
 * It is part of the scheduler's state, rebuilt from the journal and kept in its snapshots.
 */
public final class SuiteHistory {
    /** A test's last run. */
    public record Entry(long millis, boolean failed) {
    }

    private final Map<String, Map<String, Entry>> suites = new HashMap<>();

    /**
     * Records what the verdicts say. A skipped test keeps the time it took when it last ran; one that has never run
     * takes the time its skip took, so that a file with a skipped test can still share a container with others.
     */
    public void record(String suite, List<TestVerdict> verdicts) {
        Map<String, Entry> tests = suites.computeIfAbsent(suite, s -> new HashMap<>());
        for (TestVerdict verdict : verdicts) {
            if (verdict.outcome() != TestVerdict.Outcome.SKIPPED) {
                tests.put(verdict.test(), new Entry(verdict.millis(), verdict.bad()));
            } else {
                tests.putIfAbsent(verdict.test(), new Entry(verdict.millis(), false));
            }
        }
    }

    public Optional<Entry> last(String suite, String test) {
        return Optional.ofNullable(suites.getOrDefault(suite, Map.of()).get(test));
    }

    /** A copy, suite → test → entry, for a snapshot. */
    public Map<String, Map<String, Entry>> snapshot() {
        Map<String, Map<String, Entry>> copy = new HashMap<>();
        suites.forEach((suite, tests) -> copy.put(suite, new HashMap<>(tests)));
        return copy;
    }

    /** The history a snapshot holds; none for snapshots taken before suites had one. */
    public static SuiteHistory restore(Map<String, Map<String, Entry>> saved) {
        SuiteHistory history = new SuiteHistory();
        if (saved != null) {
            saved.forEach((suite, tests) -> history.suites.put(suite, new HashMap<>(tests)));
        }
        return history;
    }
}
