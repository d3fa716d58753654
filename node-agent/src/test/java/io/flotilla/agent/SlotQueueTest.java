package io.flotilla.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.run.JobAttempt;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotQueueTest {
    private static SlotQueue.Unit unit(int job) {
        return new SlotQueue.Unit(List.of(new JobAttempt("r", job, 1)), List.of(ContainerSpec.builder("true").build()),
                false, 0, false);
    }

    @Test
    void aQueuedContainerTakesTheSlotThatFreesWithoutAskingTheScheduler() {
        SlotQueue<String> slots = new SlotQueue<>(2, 2);
        assertEquals(4, slots.freeSlots(), "two slots and two places in the queue");
        for (int job = 0; job < 4; job++) {
            slots.offer(unit(job));
        }
        assertEquals(List.of(unit(0), unit(1)), slots.takeStartable(), "only as many run as there are slots");
        assertEquals(0, slots.freeSlots());
        slots.release(unit(0));
        assertEquals(1, slots.freeSlots());
        assertEquals(List.of(unit(2)), slots.takeStartable(), "the next one starts as soon as a slot frees");
        assertEquals(3, slots.attempts().size(), "running, starting and waiting attempts are all reported");
    }

    @Test
    void killingAWaitingAttemptDropsItsContainer() {
        SlotQueue<String> slots = new SlotQueue<>(1, 1);
        slots.offer(unit(0));
        slots.offer(unit(1));
        slots.takeStartable();
        assertEquals(java.util.Optional.empty(), slots.kill(new JobAttempt("r", 1, 1)));
        assertEquals(List.of(new JobAttempt("r", 0, 1)), slots.attempts());
        assertEquals(1, slots.freeSlots());
    }
}
