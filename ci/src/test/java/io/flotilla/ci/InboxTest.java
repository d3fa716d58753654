package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.ci.CommitEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which deliveries were seen and which commits asked for, within the retention, and the same after a snapshot. */
class InboxTest {
    private static final CommitEvent PUSH = new CommitEvent("github",
            "acme/widgets", "ab".repeat(20), "refs/heads/main",
            CommitEvent.Trigger.PUSH, 0, false);
    private static final CommitEvent PULL_REQUEST = new CommitEvent("github",
            "acme/widgets", "ab".repeat(20), "feature",
            CommitEvent.Trigger.PULL_REQUEST, 7, false);

    @Test
    void aDeliveryIsSeenOnceAndAPushAndItsPullRequestAreOneCommit() {
        Inbox inbox = new Inbox(1000);
        assertFalse(inbox.commitSeen(PULL_REQUEST));
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        assertTrue(inbox.seen("d-1").isPresent());
        assertTrue(inbox.seen("d-2").isEmpty());
        assertTrue(inbox.commitSeen(PULL_REQUEST));
        assertFalse(inbox.commitSeen(new CommitEvent("github", "acme/widgets", "ab".repeat(20), "feature",
                CommitEvent.Trigger.PULL_REQUEST, 8, true)), "a fork's pull request is work of its own");
    }

    /** Deliveries that share one write are decided as if they came one after the other. */
    @Test
    void aWritesDeliveriesAreDecidedInTheirOrder() {
        Inbox inbox = new Inbox(1000);
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        CommitEvent other = new CommitEvent("github",
                "acme/widgets", "cd".repeat(20), "", CommitEvent.Trigger.PUSH, 0, false);
        List<Inbox.Decision> decisions = inbox.decide(List.of(new Inbox.Arrival("d-1", PUSH),
                new Inbox.Arrival("d-2", PULL_REQUEST), new Inbox.Arrival("d-3", other),
                new Inbox.Arrival("d-4", other), new Inbox.Arrival("d-3", other)), 20);
        assertEquals(List.of(new CiProtocol.DeliverySeenBefore("d-1", PUSH.commitKey()),
                new CiProtocol.DeliveryRecorded("d-2", PUSH.commitKey(), false),
                new CiProtocol.DeliveryRecorded("d-3", other.commitKey(), true),
                new CiProtocol.DeliveryRecorded("d-4", other.commitKey(), false),
                new CiProtocol.DeliverySeenBefore("d-3", other.commitKey())),
                decisions.stream().map(Inbox.Decision::reply).toList());
        assertEquals(1, inbox.size(), "deciding changes nothing; the journaled events do");
    }

    @Test
    void deliveriesOlderThanTheRetentionLeaveAsNewOnesComeAndASnapshotKeepsTheRest() {
        Inbox inbox = new Inbox(1000);
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        inbox.apply(new InboxEvent.DeliveryRecorded("d-2", PULL_REQUEST, 500));
        inbox.apply(new InboxEvent.DeliveryRecorded("d-3", new CommitEvent("github",
                "acme/widgets", "cd".repeat(20), "",
                CommitEvent.Trigger.PUSH, 0, false), 1200));
        assertTrue(inbox.seen("d-1").isEmpty(), "older than 1200 - 1000");
        assertTrue(inbox.commitSeen(PUSH), "d-2 still asks for it");
        Inbox restored = Inbox.restore(inbox.snapshot(), 1000);
        assertEquals(2, restored.size());
        assertEquals(inbox.seen("d-2"), restored.seen("d-2"));
        restored.apply(new InboxEvent.DeliveryRecorded("d-4", PUSH, 1600));
        assertTrue(restored.seen("d-2").isEmpty());
        assertTrue(restored.commitSeen(PUSH), "d-4 asks for it now");
        restored.apply(new InboxEvent.DeliveryRecorded("d-5", new CommitEvent("github",
                "acme/widgets", "ab".repeat(20), "f",
                CommitEvent.Trigger.PULL_REQUEST, 8, true), 2700));
        assertFalse(restored.commitSeen(PUSH), "every delivery that asked for it has left");
    }
}
