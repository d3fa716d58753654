package io.flotilla.protocol.run;

/** Where a job stands. A job ends in exactly one of the final states, and stays there. */
public enum JobStatus {
    PENDING, RUNNING, PASSED, FAILED, CANCELLED;

    public boolean isFinal() {
        return this == PASSED || this == FAILED || this == CANCELLED;
    }
}
