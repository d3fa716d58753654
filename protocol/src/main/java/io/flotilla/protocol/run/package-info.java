/**
 * Runs as the whole cluster sees them: what a user submitted ({@link io.flotilla.protocol.run.RunSpec}), one
 * execution of one of its jobs ({@link io.flotilla.protocol.run.JobAttempt}), and how far the run has got
 * ({@link io.flotilla.protocol.run.RunSummary}).
 */
package io.flotilla.protocol.run;
