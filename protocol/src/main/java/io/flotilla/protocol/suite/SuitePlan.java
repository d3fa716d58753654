package io.flotilla.protocol.suite;

import java.util.List;

/**
 * What a suite's listing expanded into: the tests each job of the run runs (one, or for pytest's per-file and
 * per-shard isolation several in one process), in the order they are dispatched, and the tests the suite lists but
 * disables, which are reported skipped without running.
 *
 * @param jobTests for each job of the run, the names of its tests
 * @param disabled tests the suite disables (ctest's DISABLED, GoogleTest's {@code DISABLED_})
 */
public record SuitePlan(List<List<String>> jobTests, List<String> disabled) {
    public SuitePlan {
        jobTests = List.copyOf(jobTests.stream().map(List::copyOf).toList());
        disabled = List.copyOf(disabled);
    }
}
