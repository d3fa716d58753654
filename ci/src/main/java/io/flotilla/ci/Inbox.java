package io.flotilla.ci;

import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.ci.CommitEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The deliveries the cluster has taken, and the commits they asked for: a delivery id seen before runs nothing, and
 * deliveries for the same commit ({@link CommitEvent#commitKey()}, a push and its pull request say) run it once.
 * Entries older than the retention leave, oldest first, as new ones come: forges redeliver within days, so a week
 * is plenty, and the inbox stays small however long the cluster runs. The time is a parameter, so replaying the
 * journal rebuilds the same inbox.
 *
 * <p>Each new commit gets a {@link CommitPipeline}, which the journal's later events move on, and {@link #steps()}
 * says what to do next for every commit not yet finished: after a failover, the new singleton replays the journal
 * and goes on from there.
 */
public final class Inbox {
    /** A delivery as recorded: when, and which commit it asked for. */
    public record Entry(String commitKey, long atMillis) {
    }

    private final long retentionMillis;
    private final LinkedHashMap<String, Entry> deliveries = new LinkedHashMap<>(); // in the order recorded
    private final Map<String, Integer> deliveriesPerCommit = new HashMap<>();
    private final LinkedHashMap<String, CommitPipeline> pipelines = new LinkedHashMap<>(); // by commit key

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

    /**
     * Whether a delivery of the event makes work: a commit not seen before, or a re-run asked for a commit whose
     * pipeline has finished (one still running is not started over).
     */
    private boolean startsWork(CommitEvent event) {
        return !commitSeen(event) || event.trigger() == CommitEvent.Trigger.RERUN
                && pipeline(event.commitKey()).map(CommitPipeline::finished).orElse(false);
    }

    /** A verified delivery waiting for the inbox's next journal write. */
    public record Arrival(String deliveryId, CommitEvent event) {
    }

    /** What becomes of an arrival. */
    public sealed interface Decision {
        /** The answer its webhook route gets, once the write is done. */
        CiProtocol.DeliveryReply reply();
    }

    /** Journal it; {@code newCommit} when no delivery before it, here or in the same write, asked for its commit. */
    public record Record(InboxEvent.DeliveryRecorded event, boolean newCommit) implements Decision {
        @Override
        public CiProtocol.DeliveryReply reply() {
            return new CiProtocol.DeliveryRecorded(event.deliveryId(), event.event().commitKey(), newCommit);
        }
    }

    /** Its id was recorded before, or comes twice in the same write: nothing more happens for it. */
    public record SeenBefore(String deliveryId, String commitKey) implements Decision {
        @Override
        public CiProtocol.DeliveryReply reply() {
            return new CiProtocol.DeliverySeenBefore(deliveryId, commitKey);
        }
    }

    /**
     * What to do with the deliveries that arrived since the last write, in their order, so that they can share one
     * journal write and still be decided as if one came after the other.
     */
    public List<Decision> decide(List<Arrival> arrivals, long nowMillis) {
        Map<String, String> batchIds = new HashMap<>();
        Set<String> batchCommits = new HashSet<>();
        List<Decision> decisions = new ArrayList<>();
        for (Arrival arrival : arrivals) {
            String commitKey = arrival.event().commitKey();
            Optional<Entry> earlier = seen(arrival.deliveryId());
            if (earlier.isPresent() || batchIds.containsKey(arrival.deliveryId())) {
                decisions.add(new SeenBefore(arrival.deliveryId(), earlier.map(Entry::commitKey)
                        .orElse(batchIds.get(arrival.deliveryId()))));
                continue;
            }
            batchIds.put(arrival.deliveryId(), commitKey);
            boolean newCommit = startsWork(arrival.event()) && batchCommits.add(commitKey);
            decisions.add(new Record(new InboxEvent.DeliveryRecorded(arrival.deliveryId(), arrival.event(),
                    nowMillis), newCommit));
        }
        return decisions;
    }

    public Inbox apply(InboxEvent event) {
        if (event instanceof InboxEvent.DeliveryRecorded recorded) {
            forgetBefore(recorded.atMillis() - retentionMillis);
            String commitKey = recorded.event().commitKey();
            deliveries.put(recorded.deliveryId(), new Entry(commitKey, recorded.atMillis()));
            boolean startsWork = startsWork(recorded.event());
            if (deliveriesPerCommit.merge(commitKey, 1, Integer::sum) == 1) {
                pipelines.put(commitKey, CommitPipeline.received(recorded.event(), recorded.atMillis()));
            } else if (startsWork) {
                pipelines.put(commitKey, CommitPipeline.rerun(recorded.event(), recorded.deliveryId(),
                        recorded.atMillis()));
            }
        } else if (event instanceof InboxEvent.CheckedOut checkedOut) {
            pipelines.computeIfPresent(checkedOut.commitKey(), (key, pipeline) -> pipeline.checkedOut(
                    checkedOut.layer(), checkedOut.suites()));
        } else if (event instanceof InboxEvent.CheckoutFailed failed) {
            pipelines.computeIfPresent(failed.commitKey(), (key, pipeline) -> pipeline.failed(failed.reason()));
        } else if (event instanceof InboxEvent.SuiteSubmitted submitted) {
            pipelines.computeIfPresent(submitted.commitKey(), (key, pipeline) -> pipeline.submitted(
                    submitted.suite()));
        } else if (event instanceof InboxEvent.StatusSent sent) {
            pipelines.computeIfPresent(sent.commitKey(), (key, pipeline) -> pipeline.sent(sent.context(),
                    sent.state()));
        }
        return this;
    }

    /** What to do next, for every commit not yet finished, oldest first. */
    public List<PipelineStep> steps() {
        List<PipelineStep> steps = new ArrayList<>();
        pipelines.values().forEach(pipeline -> steps.addAll(pipeline.steps()));
        return steps;
    }

    /** The commit's pipeline, by its key. */
    public Optional<CommitPipeline> pipeline(String commitKey) {
        return Optional.ofNullable(pipelines.get(commitKey));
    }

    /** The pipelines of a repository's commit: its own, and a fork's pull request's for the same sha. */
    public List<CommitPipeline> pipelines(String forge, String repository, String sha) {
        return pipelines.values().stream().filter(pipeline -> pipeline.commit().forge().equals(forge)
                && pipeline.commit().repository().equals(repository) && pipeline.commit().sha().equals(sha)).toList();
    }

    public int size() {
        return deliveries.size();
    }

    /** A copy for the snapshot store. */
    public InboxSnapshot snapshot() {
        return new InboxSnapshot(deliveries.entrySet().stream().map(delivery -> new InboxSnapshot.Delivery(
                delivery.getKey(), delivery.getValue().commitKey(), delivery.getValue().atMillis())).toList(),
                List.copyOf(pipelines.values()));
    }

    /** The inbox a snapshot was taken of. */
    public static Inbox restore(InboxSnapshot snapshot, long retentionMillis) {
        Inbox inbox = new Inbox(retentionMillis);
        for (InboxSnapshot.Delivery delivery : snapshot.deliveries()) {
            inbox.deliveries.put(delivery.deliveryId(), new Entry(delivery.commitKey(), delivery.atMillis()));
            inbox.deliveriesPerCommit.merge(delivery.commitKey(), 1, Integer::sum);
        }
        snapshot.pipelines().forEach(pipeline -> inbox.pipelines.put(pipeline.commit().commitKey(), pipeline));
        return inbox;
    }

    private void forgetBefore(long millis) {
        for (Iterator<Entry> oldest = deliveries.values().iterator(); oldest.hasNext(); ) {
            Entry entry = oldest.next();
            if (entry.atMillis() >= millis) {
                return;
            }
            oldest.remove();
            if (deliveriesPerCommit.computeIfPresent(entry.commitKey(), (key, count) -> count > 1 ? count - 1
                    : null) == null) {
                pipelines.remove(entry.commitKey());
            }
        }
    }
}
