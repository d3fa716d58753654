package io.flotilla.ci;

import io.flotilla.protocol.ci.CommitEvent;

/** What the CI inbox journals. JSON in the journal, so that it survives a change of these classes. */
public sealed interface InboxEvent {
    /** A verified delivery, recorded before the forge was answered. */
    record DeliveryRecorded(String deliveryId, CommitEvent event, long atMillis) implements InboxEvent {
    }
}
