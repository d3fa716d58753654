/**
 * CI webhooks: a GitHub or GitLab delivery is checked against its repository's registration
 * ({@link io.flotilla.ci.Repositories}), read into a {@link io.flotilla.protocol.ci.CommitEvent} by
 * {@link io.flotilla.ci.WebhookIntake}, and journaled by the cluster-singleton {@link io.flotilla.ci.InboxActor}
 * before the forge is answered, so that a redelivery runs nothing, also after a failover.
 */
package io.flotilla.ci;
