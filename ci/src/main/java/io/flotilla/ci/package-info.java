/**
 * CI webhooks: a GitHub or GitLab delivery is checked against its repository's registration
 * ({@link io.flotilla.ci.Repositories}), read into a {@link io.flotilla.protocol.ci.CommitEvent} by
 * {@link io.flotilla.ci.WebhookIntake}, and journaled by the cluster-singleton {@link io.flotilla.ci.InboxActor}
 * before the forge is answered, so that a redelivery runs nothing, also after a failover.
 * {@link io.flotilla.ci.RepositoryRegistrar} adds registrations, and {@link io.flotilla.ci.StatusReporter} reports
 * commit statuses back to the forge, for the pipeline that is to run a recorded commit's suites.
 */
package io.flotilla.ci;
