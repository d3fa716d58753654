package io.flotilla.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.protocol.run.JobAttempt;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AgentRosterTest {
    private static final long LEASE = 10_000;

    @Test
    void aReportThatCrossedADispatchDoesNotFreeTheSlotsAgain() {
        AgentRoster<String> roster = new AgentRoster<>();
        roster.report("n1", "ref", 4, Set.of(), Set.of(), 1_000, LEASE);
        List<JobAttempt> sent = List.of(new JobAttempt("r", 0, 1), new JobAttempt("r", 1, 1),
                new JobAttempt("r", 2, 1), new JobAttempt("r", 3, 1));
        roster.sent("n1", sent, 4, 1_010);
        assertEquals(Map.of(), roster.freeSlots());

        // Written before the shard arrived: still 4 free, none of the 4 listed. They are on their way.
        assertEquals(List.of(), roster.report("n1", "ref", 4, Set.copyOf(sent), Set.of(), 1_020, LEASE),
                "on their way, not missing");
        assertEquals(Map.of(), roster.freeSlots(), "the node is not sent another 4");
        // Once the node lists them, its own count is the truth.
        roster.report("n1", "ref", 0, Set.copyOf(sent), Set.copyOf(sent), 1_030, LEASE);
        assertEquals(Map.of(), roster.freeSlots());
        roster.report("n1", "ref", 2, Set.copyOf(sent.subList(0, 2)), Set.copyOf(sent.subList(0, 2)), 1_040, LEASE);
        assertEquals(Map.of("n1", 2), roster.freeSlots());
    }

    @Test
    void attemptsSentLongerAgoThanTheLeaseAreNotOnTheirWayButMissing() {
        AgentRoster<String> roster = new AgentRoster<>();
        JobAttempt attempt = new JobAttempt("r", 0, 1);
        roster.sent("n1", List.of(attempt), 1, 0);
        assertEquals(List.of(attempt), roster.report("n1", "ref", 2, Set.of(attempt), Set.of(), 20_000, LEASE));
        assertEquals(Map.of("n1", 2), roster.freeSlots());
    }
}
