/**
 * The cluster-singleton scheduler: the queue, fair share, longest-first ordering, retries, suites and timing
 * history. It decides which shard runs where; it never knows how a sandbox is built.
 *
 * <p>Nothing is here yet: the cluster core comes with its own issue.
 */
package io.flotilla.scheduler;
