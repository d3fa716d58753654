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
        return ReportFailure.CONTEXT;
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

    /** Fetch the commit into a layer and read its {@code .flotilla.yml}. */
    record Checkout(CommitEvent commit) implements PipelineStep {
        @Override
        public String key() {
            return "checkout " + commit.commitKey();
        }
    }

    /** Tell the forge the commit could not be tested, on the context {@link #CONTEXT}. */
    record ReportFailure(CommitEvent commit, String reason) implements PipelineStep {
        /** The context of a commit's own failure, before it had any suites. */
        public static final String CONTEXT = "flotilla";

        @Override
        public String key() {
            return "failure " + commit.commitKey();
        }
    }

    /** Tell the forge the suite is pending. */
    record ReportPending(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }

    /** Submit the suite's run; a refusal is reported as the suite's error. */
    record Submit(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }

    /** Ask whether the suite's run has ended, and if it has, report its verdict. */
    record Follow(CommitEvent commit, CommitSuite suite) implements ForSuite {
    }
}
