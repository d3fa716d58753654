/**
 * The scheduler's decisions, as plain Java with no actors, clocks or I/O, so that every rule can be tested alone and
 * replayed from the journal.
 *
 * <p>{@link io.flotilla.scheduler.core.SchedulerState} holds the runs and their jobs. It changes only by applying
 * {@link io.flotilla.scheduler.core.SchedulerEvent}s, and it answers "what next" without changing:
 * {@link io.flotilla.scheduler.core.SchedulerState#decideShards} picks jobs for a node's free slots. The order is
 * priority first, then fair share between users (the user with the fewest running jobs goes next), then, within a
 * user's run, longest expected time first.
 *
 * <p>Words: a <em>run</em> is what a user submitted, a set of jobs; a <em>shard</em> is the jobs of one run sent to
 * one node at once; an <em>attempt</em> is one execution of a job, numbered from 1, and a result counts only for
 * the attempt that is running.
 */
package io.flotilla.scheduler.core;
