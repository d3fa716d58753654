package io.flotilla.protocol.run;

/** One execution of one job: the job's index in its run, and the attempt number, from 1. */
public record JobAttempt(String runId, int job, int attempt) {
}
