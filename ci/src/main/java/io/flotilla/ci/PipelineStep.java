package io.flotilla.ci;

import io.flotilla.protocol.ci.CommitEvent;

/**
 * One thing to do next for a commit, as {@link Inbox#steps()} finds it from the journal: the inbox's actor runs each
 * step once at a time, and journals what came of it.
 */
public sealed interface PipelineStep {
    /** The commit the step is for. */
    CommitEvent commit();

    /** The step's identity: the same step is not started again while it runs. */
    String key();

    /** The status context the step reports on. */
    default String context() {
        return ReportCommit.CONTEXT;
    }

    /** A step for one of the commit's suites. */
    sealed interface ForSuite extends PipelineStep {
        CommitSuite suite();

        @Override
        default String context() {
            return suite().context();
        }

        /** What the step does to which suite's run, like {@code Submit ci-...}. */
        @Override
        default String key() {
            return getClass().getSimpleName() + " " + suite().runId();
        }
    }

    /** Fetch the commit into a layer and read its {@code .flotilla.yml}, naming its runs after {@code runKey}. */
    record Checkout(CommitEvent commit, String runKey) implements PipelineStep {
        @Override
        public String key() {
            return "checkout " + commit.commitKey();
        }
    }

    /**
     * Tell the forge how far the commit itself has got, on the context {@link #CONTEXT}: pending as soon as it is
     * recorded, before its suites are known; then success once they are, or an error saying why it cannot be tested.
     */
    record ReportCommit(CommitEvent commit, CommitStatus.State state, String description) implements PipelineStep {
        /** The context of the commit's own stage: fetched, and its suites named. */
        public static final String CONTEXT = "flotilla";

        @Override
        public String key() {
            return "commit " + state + " " + commit.commitKey();
        }
    }

    /** Tell the forge the suite is pending. */
    record ReportPending(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }

    /**
     * Tell the forge the suite's run is the scheduler's now, where it has a word for that (GitLab's {@code running},
     * a check run in progress); GitHub's statuses have none, so there it is journaled without a request.
     */
    record ReportRunning(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }

    /** Submit the suite's run; a refusal is reported as the suite's error. */
    record Submit(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }

    /** Ask whether the suite's run has ended, and if it has, report its verdict. */
    record Follow(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }
}
