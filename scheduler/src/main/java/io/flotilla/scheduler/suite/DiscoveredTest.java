package io.flotilla.scheduler.suite;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One test a suite's listing step found, with what its job runs. The listing runs in the tests' own container, so
 * the command, working directory and environment are those of that container.
 *
 * @param name the test's name in its suite, unique there: a pytest node id, {@code Suite.Name}, a ctest name
 * @param command what the test's job runs
 * @param workdir where it runs; null for the container's default
 * @param env variables the suite sets for this test, beyond the run's own
 * @param timeout the suite's own limit for this test; null when it names none
 * @param disabled the suite says not to run it (reported skipped)
 * @param willFail the suite expects it to fail: a non-zero exit passes, a zero exit fails (ctest's WILL_FAIL)
 * @param skipCode the exit status by which it says it skipped (ctest's SKIP_RETURN_CODE); null for the default
 */
public record DiscoveredTest(String name, List<String> command, String workdir, Map<String, String> env,
                             Duration timeout, boolean disabled, boolean willFail, Integer skipCode) {
    public DiscoveredTest {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    /** A test that only needs its command. */
    static DiscoveredTest simple(String name, List<String> command) {
        return new DiscoveredTest(name, command, null, Map.of(), null, false, false, null);
    }
}
