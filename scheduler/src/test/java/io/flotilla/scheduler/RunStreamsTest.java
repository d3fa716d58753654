package io.flotilla.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.SchedulerProtocol.NumberedEvent;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.scheduler.core.SchedulerEvent;
import io.flotilla.scheduler.core.SchedulerState;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RunStreamsTest {
    private static final ActorTestKit kit = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    private static SchedulerState stateWithOneRun() {
        SchedulerState state = new SchedulerState();
        state.apply(new SchedulerEvent.RunAccepted(new RunSpec("r", "ann", 0, 0,
                List.of(ContainerSpec.builder("true").build(), ContainerSpec.builder("true").build()), null), 0));
        return state;
    }

    @Test
    void aRenewedSubscriptionGetsNothingTwice() {
        SchedulerState state = stateWithOneRun();
        RunStreams streams = new RunStreams();
        streams.started("r");
        TestProbe<NumberedEvent> client = kit.createTestProbe();
        SchedulerProtocol.FollowRunEvents follow = new SchedulerProtocol.FollowRunEvents("r", "", 0, client.getRef());
        streams.followNumbered(state, follow);
        streams.publish("r", new SchedulerProtocol.ShardStarted("r", "n1", List.of(new JobAttempt("r", 0, 1))));
        NumberedEvent first = client.receiveMessage(Duration.ofSeconds(5));
        assertEquals(false, streams.followNumbered(state, new SchedulerProtocol.FollowRunEvents("r", first.epoch(), 0,
                client.getRef())), "a renewal");
        assertEquals(false, streams.followNumbered(state, follow), "a renewal from before the first event");
        streams.publish("r", new SchedulerProtocol.ShardStarted("r", "n1", List.of(new JobAttempt("r", 1, 1))));
        assertEquals(2, client.receiveMessage(Duration.ofSeconds(5)).seq(), "the next event, once");
        client.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aFollowerThatHasGoneIsSentNothingMore() {
        SchedulerState state = stateWithOneRun();
        RunStreams streams = new RunStreams();
        streams.started("r");
        TestProbe<NumberedEvent> gone = kit.createTestProbe();
        TestProbe<NumberedEvent> staying = kit.createTestProbe();
        assertEquals(true, streams.followNumbered(state, new SchedulerProtocol.FollowRunEvents("r", "", 0,
                gone.getRef())));
        streams.followNumbered(state, new SchedulerProtocol.FollowRunEvents("r", "", 0, staying.getRef()));
        streams.unfollow(gone.getRef());
        streams.publish("r", new SchedulerProtocol.ShardStarted("r", "n1", List.of(new JobAttempt("r", 0, 1))));
        assertEquals(1, staying.receiveMessage(Duration.ofSeconds(5)).seq());
        gone.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void aSubscriptionRenewedWithANewSchedulerRestartsTheStream() {
        SchedulerState state = stateWithOneRun();
        RunStreams before = new RunStreams();
        before.started("r");
        TestProbe<NumberedEvent> client = kit.createTestProbe();
        before.followNumbered(state, new SchedulerProtocol.FollowRunEvents("r", "", 0, client.getRef()));
        before.publish("r", new SchedulerProtocol.ShardStarted("r", "n1", List.of(new JobAttempt("r", 0, 1))));
        NumberedEvent last = client.receiveMessage(Duration.ofSeconds(5));

        RunStreams after = new RunStreams(); // the scheduler moved: it knows the state, not the subscribers
        after.recovered(state);
        after.followNumbered(state, new SchedulerProtocol.FollowRunEvents("r", last.epoch(), last.seq(),
                client.getRef()));
        NumberedEvent restarted = client.receiveMessage(Duration.ofSeconds(5));
        assertInstanceOf(SchedulerProtocol.StreamRestarted.class, restarted.event());
        after.publish("r", new SchedulerProtocol.ShardStarted("r", "n2", List.of(new JobAttempt("r", 1, 1))));
        NumberedEvent next = client.receiveMessage(Duration.ofSeconds(5));
        assertEquals(restarted.epoch(), next.epoch());
        assertEquals(1, next.seq());
    }
}
