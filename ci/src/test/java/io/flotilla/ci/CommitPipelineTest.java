package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.ci.CommitEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The steps a commit goes through, as the inbox finds them from its journal: the same after a snapshot and after a
 * replay, so a new singleton goes on where the old one stopped.
 */
class CommitPipelineTest {
    private static final CommitEvent PUSH = new CommitEvent("github", "acme/widgets", "ab".repeat(20),
            "refs/heads/main", CommitEvent.Trigger.PUSH, 0, false);
    private static final String KEY = PUSH.commitKey();
    private static final String LAYER = "sha256:" + "cd".repeat(32);
    private static final CommitSuite UNIT = new CommitSuite("unit", CommitSuite.runIdOf(KEY, "unit"), LAYER, "{}");
    private static final CommitSuite LINT = new CommitSuite("lint", CommitSuite.runIdOf(KEY, "lint"), LAYER, "{}");

    private static List<String> steps(Inbox inbox) {
        return inbox.steps().stream().map(PipelineStep::key).toList();
    }

    @Test
    void aCommitIsCheckedOutThenEachSuiteIsPendingThenSubmittedRunningAndFollowedUntilItsVerdict() {
        Inbox inbox = new Inbox(1000);
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        inbox.apply(new InboxEvent.DeliveryRecorded("d-2", new CommitEvent("github", "acme/widgets",
                "ab".repeat(20), "feature", CommitEvent.Trigger.PULL_REQUEST, 3, false), 11));
        assertEquals(List.of("commit PENDING " + KEY, "checkout " + KEY), steps(inbox),
                "the pull request of the same commit adds nothing");
        inbox.apply(new InboxEvent.CheckedOut(KEY, LAYER, List.of(UNIT, LINT)));
        assertEquals(List.of("commit PENDING " + KEY, "ReportPending " + UNIT.runId(),
                "ReportPending " + LINT.runId()), steps(inbox), "the forge hears of a suite before it is submitted");
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla", CommitStatus.State.PENDING, true));
        assertEquals(List.of("commit SUCCESS " + KEY, "ReportPending " + UNIT.runId(),
                "ReportPending " + LINT.runId()), steps(inbox), "the commit's own stage is done once it is pending");
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla", CommitStatus.State.SUCCESS, true));
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla/unit", CommitStatus.State.PENDING, true));
        assertEquals(List.of("Submit " + UNIT.runId(), "ReportPending " + LINT.runId()), steps(inbox));
        inbox.apply(new InboxEvent.SuiteSubmitted(KEY, "unit"));
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla/lint", CommitStatus.State.PENDING, false));
        assertEquals(List.of("ReportRunning " + UNIT.runId(), "Submit " + LINT.runId()), steps(inbox),
                "a pending status the forge never took is not sent again");
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla/unit", CommitStatus.State.RUNNING, true));
        assertEquals(List.of("Follow " + UNIT.runId(), "Submit " + LINT.runId()), steps(inbox),
                "a submitted suite is running, then followed until its verdict");
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla/lint", CommitStatus.State.ERROR, true));
        assertEquals(List.of("Follow " + UNIT.runId()), steps(inbox), "a refused submission is the suite's verdict");
        Inbox restored = Inbox.restore(inbox.snapshot(), 1000);
        assertEquals(steps(inbox), steps(restored), "a snapshot keeps where each commit is");
        restored.apply(new InboxEvent.StatusSent(KEY, "flotilla/unit", CommitStatus.State.FAILURE, true));
        assertEquals(List.of(), steps(restored));
        assertTrue(restored.pipeline(KEY).orElseThrow().finished());
        assertEquals("failure", restored.pipeline(KEY).orElseThrow().view().suites().get(0).status());
    }

    @Test
    void aCommitThatCannotBeTestedGetsOneErrorStatus() {
        Inbox inbox = new Inbox(1000);
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        inbox.apply(new InboxEvent.CheckoutFailed(KEY, "the commit has no .flotilla.yml"));
        assertEquals(List.of("commit PENDING " + KEY), steps(inbox), "the error comes after the pending status");
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla", CommitStatus.State.PENDING, true));
        assertEquals(List.of("commit ERROR " + KEY), steps(inbox));
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla", CommitStatus.State.ERROR, true));
        assertEquals(List.of(), steps(inbox));
        assertTrue(inbox.pipeline(KEY).orElseThrow().finished());
        assertEquals("the commit has no .flotilla.yml",
                inbox.pipelines("github", "acme/widgets", "ab".repeat(20)).get(0).failure());
    }

    @Test
    void aCommitLeavesWithItsLastDeliveryAfterTheRetention() {
        Inbox inbox = new Inbox(1000);
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        inbox.apply(new InboxEvent.DeliveryRecorded("d-2", new CommitEvent("github", "acme/widgets",
                "ef".repeat(20), "", CommitEvent.Trigger.PUSH, 0, false), 2000));
        assertTrue(inbox.pipeline(KEY).isEmpty());
        assertEquals(List.of("commit PENDING " + inbox.steps().get(0).commit().commitKey(), "checkout "
                + inbox.steps().get(0).commit().commitKey()), steps(inbox), "only the newer commit is left");
        assertEquals("ef".repeat(20), inbox.steps().get(0).commit().sha());
    }

    @Test
    void aVerdictSaysTheCountsAndNamesTheFirstFailingTests() {
        SuiteRuns.Outcome failed = new SuiteRuns.Outcome(7, 4, List.of(new SuiteRuns.FailedTest("a::t1", "x"),
                new SuiteRuns.FailedTest("a::t2", ""), new SuiteRuns.FailedTest("b::t3", ""),
                new SuiteRuns.FailedTest("b::t4", "")), 0, "");
        assertEquals(CommitStatus.State.FAILURE, PipelineWork.verdict(failed));
        assertEquals("7 jobs passed, 4 failed: a::t1, a::t2, b::t3, …", PipelineWork.describe(failed));
        SuiteRuns.Outcome passed = new SuiteRuns.Outcome(3, 0, List.of(), 0, "");
        assertEquals(CommitStatus.State.SUCCESS, PipelineWork.verdict(passed));
        SuiteRuns.Outcome broken = new SuiteRuns.Outcome(0, 0, List.of(), 0, "the listing exited with 4");
        assertEquals(CommitStatus.State.ERROR, PipelineWork.verdict(broken));
        assertEquals("the listing exited with 4", PipelineWork.describe(broken));
        assertEquals(CommitStatus.State.CANCELED, PipelineWork.verdict(new SuiteRuns.Outcome(1, 0, List.of(), 2,
                "")));
        assertEquals("ci@group.sub.project", PipelineWork.user(new CommitEvent("gitlab", "group/sub/project",
                "ab".repeat(20), "", CommitEvent.Trigger.PUSH, 0, false)));
    }

    @Test
    void aRerunOfAFinishedCommitStartsItOverInNewRunsAndOneOfARunningCommitDoesNothing() {
        Inbox inbox = new Inbox(1000);
        CommitEvent rerun = new CommitEvent("github", "acme/widgets", "ab".repeat(20), "main",
                CommitEvent.Trigger.RERUN, 0, false);
        inbox.apply(new InboxEvent.DeliveryRecorded("d-1", PUSH, 10));
        assertEquals(List.of(false), inbox.decide(List.of(new Inbox.Arrival("r-0", rerun)), 11).stream()
                .map(decision -> ((Inbox.Record) decision).newCommit()).toList(), "the commit still runs");
        inbox.apply(new InboxEvent.DeliveryRecorded("r-0", rerun, 11));
        assertEquals(List.of("commit PENDING " + KEY, "checkout " + KEY), steps(inbox));
        inbox.apply(new InboxEvent.CheckedOut(KEY, LAYER, List.of(UNIT)));
        for (CommitStatus.State state : List.of(CommitStatus.State.PENDING, CommitStatus.State.SUCCESS)) {
            inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla", state, true));
        }
        inbox.apply(new InboxEvent.StatusSent(KEY, "flotilla/unit", CommitStatus.State.FAILURE, true));
        assertTrue(inbox.pipeline(KEY).orElseThrow().finished());

        List<Inbox.Decision> decided = inbox.decide(List.of(new Inbox.Arrival("r-1", rerun),
                new Inbox.Arrival("r-2", rerun)), 20);
        assertEquals(List.of(true, false), decided.stream().map(decision -> ((Inbox.Record) decision).newCommit())
                .toList(), "two re-runs in one write start it over once");
        decided.forEach(decision -> inbox.apply(((Inbox.Record) decision).event()));
        List<PipelineStep> steps = inbox.steps();
        assertEquals(List.of("commit PENDING " + KEY, "checkout " + KEY), steps(inbox));
        String runKey = ((PipelineStep.Checkout) steps.get(1)).runKey();
        assertEquals(KEY + " rerun r-1", runKey);
        assertTrue(!CommitSuite.runIdOf(runKey, "unit").equals(UNIT.runId()), "the re-run's runs are new");
        assertEquals(steps(inbox), steps(Inbox.restore(inbox.snapshot(), 1000)), "a snapshot keeps the re-run");
    }
}
