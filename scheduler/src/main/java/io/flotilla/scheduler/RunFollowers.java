package io.flotilla.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Who follows which run. Events go to every follower of their run, in order; when the run completes its followers
 * are dropped. Not journaled: after a failover followers subscribe again.
 *
 * @param <F> how a follower is reached
 */
final class RunFollowers<F> {
    private final Map<String, List<F>> followers = new HashMap<>();

    void follow(String runId, F follower) {
        followers.computeIfAbsent(runId, r -> new ArrayList<>()).add(follower);
    }

    <E> void publish(String runId, E event, BiConsumer<F, E> send) {
        for (F follower : followers.getOrDefault(runId, List.of())) {
            send.accept(follower, event);
        }
    }

    /** Sends the last event of a run and forgets its followers. */
    <E> void complete(String runId, E event, BiConsumer<F, E> send) {
        publish(runId, event, send);
        followers.remove(runId);
    }
}
