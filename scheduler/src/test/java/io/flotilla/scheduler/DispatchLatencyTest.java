package io.flotilla.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.flotilla.protocol.SchedulerProtocol.LatencyHistogram;
import java.util.List;
import org.junit.jupiter.api.Test;

class DispatchLatencyTest {
    @Test
    void aFirstAttemptWaitsFromItsRunsAcceptanceAndARetryFromItsRequeue() {
        DispatchLatency latency = new DispatchLatency();
        latency.runQueued("r", 1_000);
        latency.dispatched("r", 0, 1, 1_003);       // 3 ms: the 5 ms bucket
        latency.dispatched("r", 1, 1, 1_700);       // 700 ms: the 1 s bucket
        latency.jobRequeued("r", 0, 60_000);
        latency.dispatched("r", 0, 2, 60_040);      // 40 ms after its retry was due, not 59 s after the run began
        latency.dispatched("unknown", 0, 1, 5_000); // a run never seen queued is not counted

        LatencyHistogram histogram = latency.histogram();
        assertEquals(3, histogram.count());
        assertEquals(3 + 700 + 40, histogram.sumMillis());
        assertEquals(List.of(1L, 1L, 2L, 2L, 2L, 3L, 3L, 3L, 3L), histogram.cumulativeCounts());
    }

    @Test
    void anEndedRunIsForgotten() {
        DispatchLatency latency = new DispatchLatency();
        latency.runQueued("r", 0);
        latency.jobRequeued("r", 4, 10);
        latency.runEnded("r");
        latency.dispatched("r", 4, 2, 20);
        latency.dispatched("r", 5, 1, 20);
        assertEquals(0, latency.histogram().count());
    }
}
