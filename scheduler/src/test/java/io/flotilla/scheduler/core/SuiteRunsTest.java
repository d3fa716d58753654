package io.flotilla.scheduler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.suite.SuiteCommands;
import io.flotilla.protocol.suite.SuiteSpec;
import io.flotilla.scheduler.core.SchedulerEvent.JobFinished;
import io.flotilla.scheduler.core.SchedulerEvent.RunAccepted;
import io.flotilla.scheduler.core.SchedulerEvent.ShardDispatched;
import io.flotilla.scheduler.core.SchedulerEvent.SuiteExpanded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Suite runs in the scheduler's state: the listing step, the expansion in place, retries, the timing history. */
class SuiteRunsTest {
    private static final String LISTING = """
            {"kind": "ctestInfo", "version": {"major": 1, "minor": 0}, "tests": [
             {"name": "one", "command": ["/b/t", "1"]}, {"name": "two", "command": ["/b/t", "2"]},
             {"name": "off", "command": ["/b/t", "3"], "properties": [{"name": "DISABLED", "value": true}]}]}
            """;
    private final SchedulerState state = new SchedulerState();

    private static JobResult exited(int code, long millis) {
        return new JobResult(JobResult.Outcome.EXITED, code, 0, "", Duration.ofMillis(millis), Duration.ZERO, 0,
                OutputSummary.EMPTY, OutputSummary.EMPTY, false);
    }

    private static RunSpec ctestRun(String id, int retries) {
        SuiteSpec suite = new SuiteSpec(SuiteSpec.Kind.CTEST, "ctest:/b", List.of(), List.of(), List.of(), "", null, 0,
                1, false, null, List.of());
        return new RunSpec(id, "ann", 0, retries, List.of(ContainerSpec.builder(SuiteCommands.listing(suite))
                .workdir("/b").build()), null, 1, 0, 0, suite, null);
    }

    private List<JobAttempt> dispatch() {
        List<JobAttempt> started = new ArrayList<>();
        for (ShardDispatched shard : state.decideShards("n1", 10, 8, 0)) {
            state.apply(shard);
            for (int i = 0; i < shard.jobs().size(); i++) {
                started.add(new JobAttempt(shard.runId(), shard.jobs().get(i), shard.attempts().get(i)));
            }
        }
        return started;
    }

    /** The listing ends as the actor handles it: its result, then the expansion decided before it, in one write. */
    private void listingEnds(RunSpec listing, JobAttempt attempt, JobResult result, String output) {
        SuiteExpanded expanded = state.decideExpansion(listing, result, output);
        state.apply(new JobFinished(attempt, result, output));
        state.apply(expanded);
    }

    @Test
    void theListingRunBecomesTheRunOfItsTestsAndStaysTheSameSubmission() {
        RunSpec listing = ctestRun("r", 0);
        state.apply(new RunAccepted(listing, 0));
        assertTrue(state.summary("r").orElseThrow().listing());
        List<JobAttempt> started = dispatch();
        assertEquals(List.of(new JobAttempt("r", 0, 1)), started);
        listingEnds(listing, started.get(0), exited(0, 5), LISTING);

        RunSummary expanded = state.summary("r").orElseThrow();
        assertEquals(2, expanded.total());
        assertEquals(2, expanded.pending());
        assertFalse(expanded.listing());
        assertEquals(List.of("off"), expanded.disabledTests());
        assertEquals(SchedulerState.Submission.DUPLICATE, state.checkSubmission(listing));
        assertEquals(List.of("one"), state.jobs("r", null, 0, 10).jobs().get(0).tests());
        assertEquals(2, dispatch().size());
    }

    @Test
    void aListingThatFailsIsNotRetriedAndOneThatPrintsGarbageFailsTheRunWithItsError() {
        RunSpec failing = ctestRun("failing", 3);
        state.apply(new RunAccepted(failing, 0));
        listingEnds(failing, dispatch().get(0), exited(8, 5), "CMake Error: no build here\n");
        RunSummary failed = state.summary("failing").orElseThrow();
        assertTrue(failed.finished(), "a listing is never retried for its own failure");
        assertEquals(1, failed.failed());
        assertTrue(failed.error().startsWith("the ctest listing failed (exit status 8); its output was:\n"
                + "CMake Error: no build here"), failed.error());

        RunSpec garbage = ctestRun("garbage", 0);
        state.apply(new RunAccepted(garbage, 0));
        listingEnds(garbage, dispatch().get(0), exited(0, 5), "<html>\n");
        RunSummary garbled = state.summary("garbage").orElseThrow();
        assertEquals(new RunSummary("garbage", "ann", 1, 0, 0, 0, 1, 0, false, false, garbled.error(), null),
                garbled, "the listing's job counts as failed, not passed");
        assertTrue(garbled.error().startsWith("the ctest listing is not JSON"), garbled.error());
    }

    @Test
    void resultsFeedTheHistoryAndRetriedJobsKeepTheirEarlierAttemptsThroughASnapshot() {
        RunSpec listing = ctestRun("r", 1);
        state.apply(new RunAccepted(listing, 0));
        listingEnds(listing, dispatch().get(0), exited(0, 5), LISTING);
        List<JobAttempt> tests = dispatch();
        state.apply(new JobFinished(tests.get(0), exited(1, 700), "flaked\n"));
        state.apply(new JobFinished(tests.get(1), exited(0, 300), ""));
        JobAttempt retry = dispatch().get(0);
        assertEquals(new JobAttempt("r", 0, 2), retry);
        state.apply(new JobFinished(retry, exited(0, 650), ""));

        SchedulerProtocol.JobView flaky = state.jobs("r", null, 0, 10).jobs().get(0);
        assertEquals(JobStatus.PASSED, flaky.status());
        assertEquals(List.of(new SchedulerProtocol.EarlierAttempt(1, exited(1, 700))), flaky.earlierAttempts());
        assertEquals(650, state.history().last("ctest:/b", "one").orElseThrow().millis());
        assertFalse(state.history().last("ctest:/b", "one").orElseThrow().failed());

        SchedulerState restored = SchedulerState.restore(state.snapshot());
        assertEquals(state.jobs("r", null, 0, 10), restored.jobs("r", null, 0, 10));
        assertEquals(state.summary("r"), restored.summary("r"));
        assertEquals(state.history().snapshot(), restored.history().snapshot());
        assertEquals(SchedulerState.Submission.DUPLICATE, restored.checkSubmission(listing));
    }
}
