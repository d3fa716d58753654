package io.flotilla.ci;

import java.util.List;

/** The inbox as the snapshot store keeps it, oldest delivery and commit first; JSON, like the events. */
public record InboxSnapshot(List<Delivery> deliveries, List<CommitPipeline> pipelines) {
    public InboxSnapshot {
        pipelines = pipelines == null ? List.of() : List.copyOf(pipelines);
    }

    /** One recorded delivery. */
    public record Delivery(String deliveryId, String commitKey, long atMillis) {
    }
}
