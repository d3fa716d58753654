package io.flotilla.ci;

import java.util.List;

/** The inbox as the snapshot store keeps it, oldest delivery first; JSON, like the events. */
public record InboxSnapshot(List<Delivery> deliveries) {
    /** One recorded delivery. */
    public record Delivery(String deliveryId, String commitKey, long atMillis) {
    }
}
