package io.flotilla.ci;

import io.flotilla.protocol.ci.CommitEvent;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The deliveries the cluster has taken, and the commits they asked for: a delivery id seen before runs nothing, and
 * deliveries for the same commit ({@link CommitEvent#commitKey()}, a push and its pull request say) run it once.
 * Entries older than the retention leave, oldest first, as new ones come: forges redeliver within days, so a week
 * is plenty, and the inbox stays small however long the cluster runs. The time is a parameter, so replaying the
 * journal rebuilds the same inbox.
 */
public final class Inbox {
    /** A delivery as recorded: when, and which commit it asked for. */
    public record Entry(String commitKey, long atMillis) {
    }

    private final long retentionMillis;
    private final LinkedHashMap<String, Entry> deliveries = new LinkedHashMap<>(); // in the order recorded
    private final Map<String, Integer> deliveriesPerCommit = new HashMap<>();

    public Inbox(long retentionMillis) {
        this.retentionMillis = retentionMillis;
    }

    /** The delivery's earlier record, if it was recorded before. */
    public Optional<Entry> seen(String deliveryId) {
        return Optional.ofNullable(deliveries.get(deliveryId));
    }

    /** Whether a delivery recorded before asked for this commit. */
    public boolean commitSeen(CommitEvent event) {
        return deliveriesPerCommit.containsKey(event.commitKey());
    }

    public Inbox apply(InboxEvent event) {
        if (event instanceof InboxEvent.DeliveryRecorded recorded) {
            forgetBefore(recorded.atMillis() - retentionMillis);
            String commitKey = recorded.event().commitKey();
            deliveries.put(recorded.deliveryId(), new Entry(commitKey, recorded.atMillis()));
            deliveriesPerCommit.merge(commitKey, 1, Integer::sum);
        }
        return this;
    }

    public int size() {
        return deliveries.size();
    }

    /** A copy for the snapshot store. */
    public InboxSnapshot snapshot() {
        return new InboxSnapshot(deliveries.entrySet().stream().map(delivery -> new InboxSnapshot.Delivery(
                delivery.getKey(), delivery.getValue().commitKey(), delivery.getValue().atMillis())).toList());
    }

    /** The inbox a snapshot was taken of. */
    public static Inbox restore(InboxSnapshot snapshot, long retentionMillis) {
        Inbox inbox = new Inbox(retentionMillis);
        for (InboxSnapshot.Delivery delivery : snapshot.deliveries()) {
            inbox.deliveries.put(delivery.deliveryId(), new Entry(delivery.commitKey(), delivery.atMillis()));
            inbox.deliveriesPerCommit.merge(delivery.commitKey(), 1, Integer::sum);
        }
        return inbox;
    }

    private void forgetBefore(long millis) {
        for (Iterator<Entry> oldest = deliveries.values().iterator(); oldest.hasNext(); ) {
            Entry entry = oldest.next();
            if (entry.atMillis() >= millis) {
                return;
            }
            oldest.remove();
            deliveriesPerCommit.computeIfPresent(entry.commitKey(), (key, count) -> count > 1 ? count - 1 : null);
        }
    }
}
