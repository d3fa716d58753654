/**
 * CI webhooks: a GitHub or GitLab delivery is checked against its repository's registration
 * ({@link io.flotilla.ci.Repositories}), read into a {@link io.flotilla.protocol.ci.CommitEvent} by
 * {@link io.flotilla.ci.WebhookIntake}, and journaled by the cluster-singleton {@link io.flotilla.ci.InboxActor}
 * before the forge is answered, so that a redelivery runs nothing, also after a failover.
 * {@link io.flotilla.ci.RepositoryRegistrar} adds registrations.
 *
 * <p>Each new commit then goes through its pipeline, whose state ({@link io.flotilla.ci.CommitPipeline}) the same
 * journal keeps: the inbox asks it for the next {@link io.flotilla.ci.PipelineStep}s, and
 * {@link io.flotilla.ci.PipelineWork} does them: {@link io.flotilla.ci.GitCheckout} fetches the commit into a layer,
 * {@link io.flotilla.ci.PipelineConfig} reads its {@code .flotilla.yml} into suites, {@link io.flotilla.ci.SuiteRuns}
 * submits and follows their runs, and {@link io.flotilla.ci.StatusReporter} reports each status to the forge: as a
 * commit status, or for a repository with a {@link io.flotilla.ci.GithubApp} as {@link io.flotilla.ci.CheckRuns}
 * with an annotation per failing test.
 */
package io.flotilla.ci;
