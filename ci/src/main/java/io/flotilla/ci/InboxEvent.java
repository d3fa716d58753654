package io.flotilla.ci;

import io.flotilla.protocol.ci.CommitEvent;
import java.util.List;

/**
 * What the CI inbox journals: the deliveries, and how far each commit they asked for has got, so that a new singleton
 * after a failover goes on from there. JSON in the journal, so that it survives a change of these classes.
 */
public sealed interface InboxEvent {
    /** A verified delivery, recorded before the forge was answered. */
    record DeliveryRecorded(String deliveryId, CommitEvent event, long atMillis) implements InboxEvent {
    }

    /** The commit is fetched into the layer {@code layer}, and its {@code .flotilla.yml} names these suites. */
    record CheckedOut(String commitKey, String layer, List<CommitSuite> suites) implements InboxEvent {
        public CheckedOut {
            suites = List.copyOf(suites);
        }
    }

    /** The commit could not be tested at all: not fetched, or no usable {@code .flotilla.yml}. */
    record CheckoutFailed(String commitKey, String reason) implements InboxEvent {
    }

    /** The suite's run was accepted by the scheduler, under the run id its {@link CommitSuite} names. */
    record SuiteSubmitted(String commitKey, String suite) implements InboxEvent {
    }

    /**
     * A status was sent for the commit's {@code context}, taken by the forge or given up after its retries: either
     * way it is not sent again.
     */
    record StatusSent(String commitKey, String context, CommitStatus.State state, boolean taken)
            implements InboxEvent {
    }
}
