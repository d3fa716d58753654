package io.flotilla.protocol;

import io.flotilla.protocol.ci.CommitEvent;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Messages to the cluster-singleton CI inbox, which keeps every verified webhook delivery and how far each commit
 * they asked for has got, and its answers.
 */
public final class CiProtocol {
    private CiProtocol() {
    }

    /** What the inbox accepts. */
    public sealed interface Command extends CrossNode {
    }

    /** Messages the inbox sends itself. They never leave its node, so they are never serialized. */
    public non-sealed interface SelfMessage extends Command, NoSerializationVerificationNeeded {
    }

    /**
     * Sent by any node's webhook route once a delivery's signature or token is verified, before it answers the forge:
     * the inbox journals the delivery, then answers {@link DeliveryRecorded}, or {@link DeliverySeenBefore} when its
     * id was recorded before (a forge's redelivery, which must run nothing).
     *
     * @param deliveryId the forge's id of the delivery ({@code X-GitHub-Delivery}, GitLab's idempotency key)
     */
    public record RecordDelivery(String deliveryId, CommitEvent event, ActorRef<DeliveryReply> replyTo)
            implements Command {
    }

    /** The inbox's answer to {@link RecordDelivery}. */
    public sealed interface DeliveryReply extends CrossNode {
    }

    /**
     * Sent by the inbox once the delivery is journaled. {@code newCommit} is false when a delivery before it asked for
     * the same commit ({@link CommitEvent#commitKey()}): the commit is tested once, for both.
     */
    public record DeliveryRecorded(String deliveryId, String commitKey, boolean newCommit) implements DeliveryReply {
    }

    /** Sent by the inbox for a delivery id it has recorded before: nothing more happens for it. */
    public record DeliverySeenBefore(String deliveryId, String commitKey) implements DeliveryReply {
    }

    /** Sent by any node's {@code GET /v1/runs?repo=&sha=}: what became of a repository's commit. */
    public record FindCommit(String forge, String repository, String sha, ActorRef<CommitFound> replyTo)
            implements Command {
    }

    /** The inbox's answer to {@link FindCommit}. */
    public sealed interface CommitReply extends CrossNode {
    }

    /** The commit's own pipeline and a fork's for the same sha; none when no delivery asked for the commit. */
    public record CommitFound(List<CommitRuns> commits) implements CommitReply {
        public CommitFound {
            commits = List.copyOf(commits);
        }
    }

    /**
     * One commit's pipeline.
     *
     * @param checkedOut whether the commit is fetched and its suites known
     * @param failure why the commit could not be tested at all, or empty
     */
    public record CommitRuns(String commitKey, boolean fromFork, boolean checkedOut, String failure,
                             List<SuiteRun> suites) {
        public CommitRuns {
            suites = List.copyOf(suites);
        }
    }

    /**
     * One suite of a commit and its run.
     *
     * @param status the last status sent on its context ({@code pending}, {@code success}, ...), or empty
     */
    public record SuiteRun(String suite, String context, String runId, boolean submitted, String status) {
    }
}
