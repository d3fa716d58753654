package io.flotilla.protocol.run;

/**
 * A run's progress: how many of its jobs are in each state. A run is finished when none is pending or running.
 *
 * @param listing the run is a test suite whose listing step has not yet expanded it into its tests' jobs
 * @param error why the run failed as a whole (its suite's listing step failed), or empty
 * @param disabledTests the tests its suite lists but disables, which no job runs
 */
public record RunSummary(String runId, String user, int total, int pending, int running, int passed, int failed,
                         int cancelled, boolean cancelRequested, boolean listing, String error,
                         java.util.List<String> disabledTests) {
    public RunSummary {
        error = error == null ? "" : error;
        disabledTests = disabledTests == null ? java.util.List.of() : java.util.List.copyOf(disabledTests);
    }

    /** A run of plain jobs, or an expanded suite, that failed as a whole for no reason of its own. */
    public RunSummary(String runId, String user, int total, int pending, int running, int passed, int failed,
                      int cancelled, boolean cancelRequested) {
        this(runId, user, total, pending, running, passed, failed, cancelled, cancelRequested, false, "", null);
    }

    public boolean finished() {
        return pending == 0 && running == 0;
    }
}
