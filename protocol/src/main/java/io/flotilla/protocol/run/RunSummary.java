package io.flotilla.protocol.run;

/** A run's progress: how many of its jobs are in each state. A run is finished when none is pending or running. */
public record RunSummary(String runId, String user, int total, int pending, int running, int passed, int failed,
                         int cancelled, boolean cancelRequested) {
    public boolean finished() {
        return pending == 0 && running == 0;
    }
}
