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
 * A node's slots: which attempts hold one, and which wait for one. The scheduler may send more than the free slots
 * it last heard of; the extra attempts wait here instead of overloading the machine.
 *
 * @param <J> how a running attempt is held (a sandbox job)
 */
final class SlotQueue<J> {
    record Waiting(JobAttempt attempt, ContainerSpec spec) {
    }

    private final int slots;
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    /** Attempts holding a slot; the value is empty while the sandbox is still starting the job. */
    private final Map<JobAttempt, Optional<J>> holding = new HashMap<>();

    SlotQueue(int slots) {
        this.slots = slots;
    }

    void offer(JobAttempt attempt, ContainerSpec spec) {
        waiting.addLast(new Waiting(attempt, spec));
    }

    /** Attempts that may start now: each takes a slot. */
    List<Waiting> takeStartable() {
        List<Waiting> startable = new ArrayList<>();
        while (holding.size() < slots && !waiting.isEmpty()) {
            Waiting next = waiting.removeFirst();
            holding.put(next.attempt(), Optional.empty());
            startable.add(next);
        }
        return startable;
    }

    /** Records the started job; false if the attempt was killed while it was starting. */
    boolean started(JobAttempt attempt, J job) {
        if (!holding.containsKey(attempt)) {
            return false;
        }
        holding.put(attempt, Optional.of(job));
        return true;
    }

    void release(JobAttempt attempt) {
        holding.remove(attempt);
    }

    /** Drops a waiting attempt, or returns the job of a running one so it can be killed. */
    Optional<J> kill(JobAttempt attempt) {
        waiting.removeIf(w -> w.attempt().equals(attempt));
        Optional<J> job = holding.getOrDefault(attempt, Optional.empty());
        if (job.isEmpty()) {
            holding.remove(attempt); // still starting: its start will find it gone and cancel it
        }
        return job;
    }

    int freeSlots() {
        return Math.max(0, slots - holding.size() - waiting.size());
    }

    /** Every attempt this node has: running, starting or waiting. */
    List<JobAttempt> attempts() {
        List<JobAttempt> all = new ArrayList<>(holding.keySet());
        waiting.forEach(w -> all.add(w.attempt()));
        return all;
    }
}
