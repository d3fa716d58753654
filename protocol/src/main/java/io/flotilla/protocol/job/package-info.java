/**
 * The job and container model shared by every module: what a job asks for ({@link io.flotilla.protocol.job.ContainerSpec})
 * and what became of it ({@link io.flotilla.protocol.job.JobResult}).
 *
 * <p>These types validate themselves on construction, so a spec that exists is a spec a node can run: a bad
 * field fails early, with {@link io.flotilla.protocol.job.InvalidSpecException} naming the field.
 */
package io.flotilla.protocol.job;
