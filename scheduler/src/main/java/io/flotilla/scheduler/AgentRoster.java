package io.flotilla.scheduler;

import io.flotilla.protocol.run.JobAttempt;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the scheduler knows of the node agents: where each is, how many slots it has free, when it last spoke, and
 * when each attempt was sent to it. None of this is journaled: after a failover every agent reports again within
 * its lease, and a node that does not is treated as lost.
 *
 * @param <A> how the scheduler reaches an agent (an actor ref)
 */
final class AgentRoster<A> {
    private static final class Agent<A> {
        A ref;
        int freeSlots;
        long lastSeenMillis;
    }

    private final Map<String, Agent<A>> agents = new LinkedHashMap<>();
    private final Map<JobAttempt, Long> sentAt = new HashMap<>();

    /**
     * An agent's report replaces what the roster guessed about its free slots, less the attempts on their way to it:
     * believed to run there, not in the report yet, and sent within {@code graceMillis}. Without that, a report that
     * crossed a dispatch would have the node sent its free slots twice. Returns the attempts the node should have had
     * time to list and does not: sent longer ago than that.
     */
    List<JobAttempt> report(String node, A ref, int freeSlots, Set<JobAttempt> believed,
                            Collection<JobAttempt> reported, long nowMillis, long graceMillis) {
        Agent<A> agent = agents.computeIfAbsent(node, n -> new Agent<>());
        agent.ref = ref;
        agent.lastSeenMillis = nowMillis;
        List<JobAttempt> missing = new ArrayList<>();
        int onTheirWay = 0;
        for (JobAttempt attempt : believed) {
            if (reported.contains(attempt)) {
                continue;
            }
            if (sentAt.getOrDefault(attempt, 0L) < nowMillis - graceMillis) {
                missing.add(attempt);
            } else {
                onTheirWay++;
            }
        }
        agent.freeSlots = Math.max(0, freeSlots - onTheirWay);
        return missing;
    }

    /** A node that ran work before a failover: it has a lease to report before its attempts count as lost. */
    void expect(String node, Collection<JobAttempt> running, long nowMillis) {
        agents.computeIfAbsent(node, n -> {
            Agent<A> agent = new Agent<>();
            agent.lastSeenMillis = nowMillis;
            return agent;
        });
        running.forEach(attempt -> sentAt.put(attempt, nowMillis));
    }

    Optional<A> ref(String node) {
        Agent<A> agent = agents.get(node);
        return agent == null ? Optional.empty() : Optional.ofNullable(agent.ref);
    }

    /** Free slots per reachable node, in the order the nodes joined. */
    Map<String, Integer> freeSlots() {
        Map<String, Integer> free = new LinkedHashMap<>();
        agents.forEach((node, agent) -> {
            if (agent.ref != null && agent.freeSlots > 0) {
                free.put(node, agent.freeSlots);
            }
        });
        return free;
    }

    /** Every known agent's free slots as it last reported them (less what was sent since), reachable or not. */
    Map<String, Integer> freeSlotsOfAll() {
        Map<String, Integer> free = new LinkedHashMap<>();
        agents.forEach((node, agent) -> free.put(node, agent.freeSlots));
        return free;
    }

    void sent(String node, List<JobAttempt> attempts, int slotsUsed, long nowMillis) {
        Agent<A> agent = agents.get(node);
        if (agent != null) {
            agent.freeSlots = Math.max(0, agent.freeSlots - slotsUsed);
        }
        attempts.forEach(attempt -> sentAt.put(attempt, nowMillis));
    }

    /** An attempt ended; its slot is free again until the agent says otherwise. */
    void ended(String node, JobAttempt attempt) {
        sentAt.remove(attempt);
        Agent<A> agent = agents.get(node);
        if (agent != null) {
            agent.freeSlots++;
        }
    }

    void forget(Collection<JobAttempt> attempts) {
        attempts.forEach(sentAt::remove);
    }

    /** Nodes not heard from since {@code cutoffMillis}; they are removed from the roster. */
    List<String> removeSilentSince(long cutoffMillis) {
        List<String> silent = new ArrayList<>();
        agents.entrySet().removeIf(entry -> {
            boolean isSilent = entry.getValue().lastSeenMillis < cutoffMillis;
            if (isSilent) {
                silent.add(entry.getKey());
            }
            return isSilent;
        });
        return silent;
    }
}
