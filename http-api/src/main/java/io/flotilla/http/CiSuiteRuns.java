package io.flotilla.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flotilla.ci.CommitSuite;
import io.flotilla.ci.SuiteRuns;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.LimitPolicy;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.suite.SuiteSpec;
import io.flotilla.protocol.suite.TestVerdict;
import io.flotilla.protocol.suite.TestVerdicts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The CI pipeline's way to the scheduler: a commit's suite is submitted through {@link RunSubmission}, the very
 * parsing and rules of {@code POST /v1/runs}, for the repository's user, who never gets the host's network; and a
 * finished run's failed jobs are read back as the tests that failed, with the first line of why.
 */
final class CiSuiteRuns implements SuiteRuns {
    /** The most failed tests named back; a forge shows a handful, and the run has them all. */
    private static final int MAX_FAILED = 200;

    private final SchedulerAsk scheduler;
    private final LimitPolicy limits;

    CiSuiteRuns(SchedulerAsk scheduler, LimitPolicy limits) {
        this.scheduler = scheduler;
        this.limits = limits;
    }

    @Override
    public CompletionStage<Submitted> submit(CommitSuite suite, String user) {
        RunSubmission.Outcome outcome = RunSubmission.parse(suite.body().getBytes(StandardCharsets.UTF_8),
                new Caller(user, Caller.Role.SUBMIT, false), Optional.empty(), new SubmitRules(limits, false),
                suite.runId(), 0);
        if (outcome instanceof RunSubmission.Refused refused) {
            return CompletableFuture.completedFuture(new Refused(refused.message()));
        }
        return scheduler.<SchedulerProtocol.SubmitReply>request(replyTo -> new SchedulerProtocol.SubmitRun(
                ((RunSubmission.Parsed) outcome).spec(), replyTo)).thenApply(reply ->
                reply instanceof SchedulerProtocol.Rejected rejected ? new Refused(rejected.message())
                        : new Accepted());
    }

    @Override
    public CompletionStage<Optional<Outcome>> outcome(CommitSuite suite) {
        return scheduler.<SchedulerProtocol.RunReply>request(replyTo -> new SchedulerProtocol.GetRun(suite.runId(),
                replyTo)).thenCompose(reply -> {
            if (!(reply instanceof SchedulerProtocol.RunFound found) || !found.summary().finished()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            RunSummary summary = found.summary();
            if (!summary.error().isEmpty() || summary.failed() == 0) {
                return CompletableFuture.completedFuture(Optional.of(new Outcome(summary.passed(), summary.failed(),
                        List.of(), summary.cancelled(), summary.error())));
            }
            return scheduler.<SchedulerProtocol.JobsReply>request(replyTo -> new SchedulerProtocol.GetJobs(
                    suite.runId(), JobStatus.FAILED, 0, SchedulerProtocol.MAX_JOBS_PER_PAGE, replyTo))
                    .thenApply(jobs -> Optional.of(new Outcome(summary.passed(), summary.failed(),
                            failedTests(kind(suite), jobs), summary.cancelled(), "")));
        });
    }

    /** The failed tests of the failed jobs, judged as the suite's reports judge them. */
    private static List<FailedTest> failedTests(SuiteSpec.Kind kind, SchedulerProtocol.JobsReply reply) {
        List<FailedTest> failed = new ArrayList<>();
        if (!(reply instanceof SchedulerProtocol.JobsFound found)) {
            return failed;
        }
        for (SchedulerProtocol.JobView job : found.jobs()) {
            if (job.result() == null || job.tests().isEmpty()) {
                continue;
            }
            for (TestVerdict verdict : TestVerdicts.of(kind, job.tests(), job.result(), job.outputTail())) {
                if ((verdict.outcome() == TestVerdict.Outcome.FAILED || verdict.outcome() == TestVerdict.Outcome.ERROR)
                        && failed.size() < MAX_FAILED) {
                    failed.add(new FailedTest(verdict.test(), verdict.message().lines().findFirst().orElse("")));
                }
            }
        }
        return failed;
    }

    private static SuiteSpec.Kind kind(CommitSuite suite) {
        try {
            JsonNode body = ApiJson.MAPPER.readTree(suite.body());
            return SuiteSpec.Kind.valueOf(body.path("suite").path("kind").asText().toUpperCase(Locale.ROOT));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("suite " + suite.name() + " was submitted, so its kind is known", e);
        }
    }
}
