/**
 * The cluster-singleton scheduler: a thin event-sourced actor ({@link io.flotilla.scheduler.SchedulerActor})
 * around the pure decision core in {@code io.flotilla.scheduler.core}, plus what it knows without journaling it:
 * where the node agents are and how many slots they have free ({@link io.flotilla.scheduler.AgentRoster}), and who
 * follows which run ({@link io.flotilla.scheduler.RunFollowers}).
 */
package io.flotilla.scheduler;
