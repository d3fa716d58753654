package io.flotilla.ci;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * How the CI pipeline reaches the scheduler: it submits a commit's suite as {@code POST /v1/runs} would, by the same
 * rules, and asks how the run ended. The HTTP API implements it, which owns those rules; a fake one serves tests of
 * the pipeline alone.
 */
public interface SuiteRuns {
    /** The scheduler's answer to a submission. */
    sealed interface Submitted {
    }

    /** The run is the scheduler's, or was before (a submission made again after a failover). */
    record Accepted() implements Submitted {
    }

    /** The suite cannot run as written; the message names the field at fault. */
    record Refused(String message) implements Submitted {
    }

    /** A test that failed, and the first line of why, for an annotation. */
    record FailedTest(String name, String message) {
    }

    /**
     * How a run ended.
     *
     * @param passed the run's jobs that passed
     * @param failed the run's jobs that failed
     * @param failedTests the tests those jobs failed, by name, as many as could be read
     * @param error why the run failed as a whole (its listing failed), or empty
     */
    record Outcome(int passed, int failed, List<FailedTest> failedTests, int cancelled, String error) {
        public Outcome {
            failedTests = List.copyOf(failedTests);
        }
    }

    /** Submits the suite under its run id, for {@code user}. */
    CompletionStage<Submitted> submit(CommitSuite suite, String user);

    /** How the suite's run ended, or empty while it runs. */
    CompletionStage<Optional<Outcome>> outcome(CommitSuite suite);
}
