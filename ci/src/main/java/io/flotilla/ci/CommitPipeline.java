package io.flotilla.ci;

import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.ci.CommitEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far one commit has got: checked out into {@code layer} with its suites, or failed with {@code failure}; which
 * suites' runs the scheduler has; the last status sent on each context. It is immutable, and a snapshot holds it as
 * it is.
 *
 * @param runKey what its suites' run ids derive from: the commit's key, and for a re-run also the delivery that asked
 * @param layer the checkout's layer digest, or null before the checkout
 * @param failure why the commit cannot be tested, or null
 */
public record CommitPipeline(CommitEvent commit, String runKey, long atMillis, String layer, List<CommitSuite> suites,
                             String failure, List<String> submitted, Map<String, CommitStatus.State> sent) {
    public CommitPipeline {
        suites = List.copyOf(suites);
        submitted = List.copyOf(submitted);
        sent = Map.copyOf(sent);
    }

    /** A commit a delivery has just asked for. */
    static CommitPipeline received(CommitEvent commit, long atMillis) {
        return new CommitPipeline(commit, commit.commitKey(), atMillis, null, List.of(), null, List.of(), Map.of());
    }

    /** A commit tested before, asked for again by the re-run delivery {@code deliveryId}: all over, in new runs. */
    static CommitPipeline rerun(CommitEvent commit, String deliveryId, long atMillis) {
        return new CommitPipeline(commit, commit.commitKey() + " rerun " + deliveryId, atMillis, null, List.of(), null,
                List.of(), Map.of());
    }

    CommitPipeline checkedOut(String checkout, List<CommitSuite> planned) {
        return new CommitPipeline(commit, runKey, atMillis, checkout, planned, null, submitted, sent);
    }

    CommitPipeline failed(String reason) {
        return new CommitPipeline(commit, runKey, atMillis, layer, suites, reason, submitted, sent);
    }

    CommitPipeline submitted(String suite) {
        List<String> more = new ArrayList<>(submitted);
        more.add(suite);
        return new CommitPipeline(commit, runKey, atMillis, layer, suites, failure, more, sent);
    }

    CommitPipeline sent(String context, CommitStatus.State state) {
        Map<String, CommitStatus.State> more = new LinkedHashMap<>(sent);
        more.put(context, state);
        return new CommitPipeline(commit, runKey, atMillis, layer, suites, failure, submitted, more);
    }

    /** The state last sent on the context, or null. */
    public CommitStatus.State state(String context) {
        return sent.get(context);
    }

    /** Whether every status this commit will get is sent: nothing more is done for it. */
    public boolean finished() {
        return isFinal(state(PipelineStep.ReportCommit.CONTEXT))
                && suites.stream().allMatch(suite -> isFinal(state(suite.context())));
    }

    /**
     * What to do next for this commit; nothing when it waits on nothing or is finished. The commit's own context
     * is pending while it is fetched; its verdict follows that, so it never arrives first and is overwritten.
     */
    List<PipelineStep> steps() {
        List<PipelineStep> steps = new ArrayList<>();
        CommitStatus.State own = state(PipelineStep.ReportCommit.CONTEXT);
        if (own == null) {
            steps.add(new PipelineStep.ReportCommit(commit, CommitStatus.State.PENDING, "fetching the commit"));
        }
        if (failure == null && layer == null) {
            steps.add(new PipelineStep.Checkout(commit, runKey));
        }
        if (own == CommitStatus.State.PENDING) {
            if (failure != null) {
                steps.add(new PipelineStep.ReportCommit(commit, CommitStatus.State.ERROR, failure));
            } else if (layer != null) {
                steps.add(new PipelineStep.ReportCommit(commit, CommitStatus.State.SUCCESS, suites.size()
                        + (suites.size() == 1 ? " suite: " : " suites: ") + String.join(", ",
                        suites.stream().map(CommitSuite::name).toList())));
            }
        }
        if (layer == null) {
            return steps;
        }
        for (CommitSuite suite : suites) {
            CommitStatus.State state = state(suite.context());
            if (state == null) {
                steps.add(new PipelineStep.ReportPending(commit, suite)); // the forge hears of it before its verdict
            } else if (isFinal(state)) {
                continue;
            } else if (!submitted.contains(suite.name())) {
                steps.add(new PipelineStep.Submit(commit, suite));
            } else if (state == CommitStatus.State.PENDING) {
                steps.add(new PipelineStep.ReportRunning(commit, suite));
            } else {
                steps.add(new PipelineStep.Follow(commit, suite));
            }
        }
        return steps;
    }

    /** The pipeline as {@code GET /v1/runs?repo=&sha=} shows it. */
    CiProtocol.CommitRuns view() {
        return new CiProtocol.CommitRuns(commit.commitKey(), commit.fromFork(), layer != null,
                failure == null ? "" : failure, suites.stream().map(suite -> new CiProtocol.SuiteRun(suite.name(),
                        suite.context(), suite.runId(), submitted.contains(suite.name()),
                        state(suite.context()) == null ? "" : state(suite.context()).name().toLowerCase(
                                java.util.Locale.ROOT))).toList());
    }

    static boolean isFinal(CommitStatus.State state) {
        return state != null && state != CommitStatus.State.PENDING && state != CommitStatus.State.RUNNING;
    }
}
