package io.flotilla.agent;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.run.JobAttempt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's slots: which containers hold one, and which wait for one. A container runs one attempt, or, when the
 * attempts share it, several one after another; either way it takes one slot. The node asks for a few containers
 * more than it has slots ({@code queueAhead}), so that a slot that frees starts the next container at once instead
 * of waiting for a round trip to the scheduler; and the scheduler may send more than the free slots it last heard
 * of. Either way the extra containers wait here instead of overloading the machine.
 *
 * @param <J> how a running container is held (a way to kill it)
 */
final class SlotQueue<J> {
    /** What one container runs: its attempts and their specs, one to one. */
    record Unit(List<JobAttempt> attempts, List<ContainerSpec> specs, boolean shared, int outputTailBytes, boolean listing) {
    }

    private final int slots;
    private final int queueAhead;
    private final Deque<Unit> waiting = new ArrayDeque<>();
    /** Containers holding a slot; the value is empty while the sandbox is still starting the container. */
    private final Map<Unit, Optional<J>> holding = new HashMap<>();

    SlotQueue(int slots, int queueAhead) {
        this.slots = slots;
        this.queueAhead = queueAhead;
    }

    void offer(Unit unit) {
        waiting.addLast(unit);
    }

    /** Containers that may start now: each takes a slot. */
    List<Unit> takeStartable() {
        List<Unit> startable = new ArrayList<>();
        while (holding.size() < slots && !waiting.isEmpty()) {
            Unit next = waiting.removeFirst();
            holding.put(next, Optional.empty());
            startable.add(next);
        }
        return startable;
    }

    /** Records the started container; false if it was killed while it was starting. */
    boolean started(Unit unit, J job) {
        if (!holding.containsKey(unit)) {
            return false;
        }
        holding.put(unit, Optional.of(job));
        return true;
    }

    void release(Unit unit) {
        holding.remove(unit);
    }

    /**
     * Drops the waiting container that holds this attempt, or returns the running one so it can be killed. A
     * shared container goes with every attempt in it.
     */
    Optional<J> kill(JobAttempt attempt) {
        waiting.removeIf(unit -> unit.attempts().contains(attempt));
        for (Map.Entry<Unit, Optional<J>> entry : holding.entrySet()) {
            if (entry.getKey().attempts().contains(attempt)) {
                if (entry.getValue().isEmpty()) {
                    holding.remove(entry.getKey()); // still starting: its start will find it gone and cancel it
                }
                return entry.getValue();
            }
        }
        return Optional.empty();
    }

    /** How many more containers the node takes now: its free slots, and room in its queue. */
    int freeSlots() {
        return Math.max(0, slots + queueAhead - holding.size() - waiting.size());
    }

    /** Every attempt this node has: running, starting or waiting. */
    List<JobAttempt> attempts() {
        List<JobAttempt> all = new ArrayList<>();
        holding.keySet().forEach(unit -> all.addAll(unit.attempts()));
        waiting.forEach(unit -> all.addAll(unit.attempts()));
        return all;
    }
}
