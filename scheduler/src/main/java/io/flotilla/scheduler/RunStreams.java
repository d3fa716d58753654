package io.flotilla.scheduler;

import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.SchedulerProtocol.NumberedEvent;
import io.flotilla.protocol.SchedulerProtocol.RunEvent;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.scheduler.core.SchedulerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Each run's event stream: who follows it, and, so that a follower can come back and miss nothing, every event of
 * this scheduler's lifetime numbered from 1. The numbers are only good within one lifetime (an epoch): a new
 * scheduler starts each run's stream with the final result of every job that already has one, and a follower that
 * comes with an older epoch is told the stream restarted. Not journaled; the journal is where the state is.
 */
final class RunStreams {
    /** Streams of finished runs kept for followers who come back late; older ones are dropped. */
    private static final int FINISHED_KEPT = 200;

    private final String epoch = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, List<RunEvent>> logs = new HashMap<>();
    private final Set<String> finished = new LinkedHashSet<>();
    private final Map<String, List<ActorRef<RunEvent>>> followers = new HashMap<>();
    private final Map<String, List<ActorRef<NumberedEvent>>> numberedFollowers = new HashMap<>();

    /** A run accepted now: its stream starts empty. */
    void started(String runId) {
        logs.putIfAbsent(runId, new ArrayList<>());
    }

    /** After recovery: each unfinished run's stream starts with the final results its jobs already have. */
    void recovered(SchedulerState state) {
        for (String runId : state.runIds()) {
            if (!state.summary(runId).orElseThrow().finished()) {
                logs.put(runId, seed(state, runId));
            }
        }
    }

    /** Follows a run's events from now on, unnumbered. */
    void follow(String runId, ActorRef<RunEvent> follower) {
        followers.computeIfAbsent(runId, r -> new ArrayList<>()).add(follower);
    }

    /**
     * Follows a run's numbered stream from where the follower left it; see {@link SchedulerProtocol.FollowRunEvents}.
     * Returns whether the follower now waits for more of the stream (and was not already).
     */
    boolean followNumbered(SchedulerState state, SchedulerProtocol.FollowRunEvents follow) {
        String runId = follow.runId();
        if (state.summary(runId).isEmpty()) {
            follow.subscriber().tell(new NumberedEvent(epoch, 0, new SchedulerProtocol.RunUnknown(runId)));
            return false;
        }
        if (numberedFollowers.getOrDefault(runId, List.of()).contains(follow.subscriber())) {
            return false; // a renewal from a follower this scheduler already serves
        }
        List<RunEvent> log = logs.computeIfAbsent(runId, r -> seed(state, r)); // a finished run's, dropped before
        long after = follow.afterSeq();
        if (!epoch.equals(follow.epoch())) {
            if (!follow.epoch().isEmpty()) {
                follow.subscriber().tell(new NumberedEvent(epoch, 0, new SchedulerProtocol.StreamRestarted(runId)));
            }
            after = 0;
        }
        for (long seq = Math.max(0, after); seq < log.size(); seq++) {
            follow.subscriber().tell(new NumberedEvent(epoch, seq + 1, log.get((int) seq)));
        }
        if (finished.contains(runId)) {
            return false;
        }
        numberedFollowers.computeIfAbsent(runId, r -> new ArrayList<>()).add(follow.subscriber());
        return true;
    }

    /** A follower that has gone: it is sent nothing more, of any run. */
    void unfollow(ActorRef<NumberedEvent> follower) {
        numberedFollowers.values().forEach(list -> list.remove(follower));
        numberedFollowers.values().removeIf(List::isEmpty);
    }

    /** Appends an event to the run's stream and sends it to its followers. */
    void publish(String runId, RunEvent event) {
        List<RunEvent> log = logs.computeIfAbsent(runId, r -> new ArrayList<>());
        log.add(event);
        NumberedEvent numbered = new NumberedEvent(epoch, log.size(), event);
        followers.getOrDefault(runId, List.of()).forEach(follower -> follower.tell(event));
        numberedFollowers.getOrDefault(runId, List.of()).forEach(follower -> follower.tell(numbered));
    }

    /** Publishes the run's last event and lets its followers go; its stream stays for those who come back. */
    void complete(String runId, SchedulerProtocol.RunCompleted completed) {
        if (finished.contains(runId)) {
            return;
        }
        publish(runId, completed);
        followers.remove(runId);
        numberedFollowers.remove(runId);
        finished.add(runId);
        if (finished.size() > FINISHED_KEPT) {
            Iterator<String> oldest = finished.iterator();
            logs.remove(oldest.next());
            oldest.remove();
        }
    }

    /** The stream a run starts with in this epoch: the final result of each job that has one, and its end. */
    private List<RunEvent> seed(SchedulerState state, String runId) {
        List<RunEvent> events = new ArrayList<>();
        int from = 0;
        while (from >= 0) {
            SchedulerProtocol.JobsFound page = state.jobs(runId, null, from, SchedulerProtocol.MAX_JOBS_PER_PAGE);
            for (SchedulerProtocol.JobView job : page.jobs()) {
                if (job.status().isFinal()) {
                    events.add(new SchedulerProtocol.AttemptCompleted(runId, new JobAttempt(runId, job.job(),
                            job.attempts()), job.result(), job.status(), job.outputTail()));
                }
            }
            from = page.next();
        }
        if (state.summary(runId).orElseThrow().finished()) {
            events.add(new SchedulerProtocol.RunCompleted(runId, state.summary(runId).orElseThrow()));
            finished.add(runId);
        }
        return events;
    }
}
