package io.flotilla.ci;

import io.flotilla.protocol.ci.CommitEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Does a {@link PipelineStep}: fetches, submits, asks, reports. Each step ends in the one event the inbox journals
 * for it, or in none when there is nothing new (a run still running); the step's decisions are all in
 * {@link CommitPipeline}, so this class only talks to git, the scheduler and the forge.
 */
public final class PipelineWork {
    /** The most failing tests a status's description names. */
    private static final int NAMED_FAILURES = 3;

    private final Supplier<Repositories> repositories;
    private final GitCheckout checkout;
    private final SuiteRuns runs;
    private final StatusReporter reporter;
    private final Supplier<String> apiUrl;
    private final Executor blocking;

    /**
     * @param apiUrl the cluster's REST API, for each status's link to its run
     * @param blocking where the checkouts run
     */
    public PipelineWork(Supplier<Repositories> repositories, GitCheckout checkout, SuiteRuns runs,
                        StatusReporter reporter, Supplier<String> apiUrl, Executor blocking) {
        this.repositories = repositories;
        this.checkout = checkout;
        this.runs = runs;
        this.reporter = reporter;
        this.apiUrl = apiUrl;
        this.blocking = blocking;
    }

    /** Does the step; what it comes to, to journal. */
    public CompletionStage<Optional<InboxEvent>> run(PipelineStep step) {
        CommitEvent commit = step.commit();
        Optional<Repository> repository = Forge.named(commit.forge())
                .flatMap(forge -> repositories.get().find(forge, commit.repository()));
        if (repository.isEmpty()) {
            String gone = "repository '" + commit.repository() + "' is no longer registered";
            return done(step instanceof PipelineStep.Checkout
                    ? new InboxEvent.CheckoutFailed(commit.commitKey(), gone)
                    : new InboxEvent.StatusSent(commit.commitKey(), step.context(), CommitStatus.State.ERROR,
                            false));
        }
        Repository repo = repository.get();
        if (step instanceof PipelineStep.Checkout checkout) {
            return CompletableFuture.supplyAsync(() -> Optional.of(checkOut(repo, commit, checkout.runKey())),
                    blocking);
        }
        if (step instanceof PipelineStep.ReportCommit stage) {
            return report(repo, commit, PipelineStep.ReportCommit.CONTEXT, stage.state(), stage.description(), "");
        }
        if (step instanceof PipelineStep.Submit || step instanceof PipelineStep.Follow) {
            PipelineStep.ForSuite forSuite = (PipelineStep.ForSuite) step;
            return CompletableFuture.runAsync(() -> ensureCheckout(repo, commit, forSuite.suite()), blocking)
                    .thenCompose(present -> runSuite(repo, forSuite));
        }
        PipelineStep.ForSuite report = (PipelineStep.ForSuite) step;
        if (step instanceof PipelineStep.ReportRunning && !repo.reportsRunning()) {
            return done(new InboxEvent.StatusSent(commit.commitKey(), report.context(), CommitStatus.State.RUNNING,
                    true));
        }
        boolean running = step instanceof PipelineStep.ReportRunning;
        return report(repo, commit, report.context(), running ? CommitStatus.State.RUNNING
                : CommitStatus.State.PENDING, running ? "running on the cluster" : "waiting for the cluster",
                runUrl(report.suite()));
    }

    /** Submits the suite's run, or asks how it ended and reports that. */
    private CompletionStage<Optional<InboxEvent>> runSuite(Repository repo, PipelineStep.ForSuite step) {
        CommitEvent commit = step.commit();
        if (step instanceof PipelineStep.Submit submit) {
            return runs.submit(submit.suite(), user(commit)).thenCompose(submitted ->
                    submitted instanceof SuiteRuns.Refused refused
                            ? report(repo, commit, submit.suite().context(), CommitStatus.State.ERROR,
                                    refused.message(), runUrl(submit.suite()))
                            : done(new InboxEvent.SuiteSubmitted(commit.commitKey(), submit.suite().name())));
        }
        CommitSuite suite = ((PipelineStep.Follow) step).suite();
        return runs.outcome(suite).thenCompose(outcome -> outcome.isEmpty()
                ? CompletableFuture.completedFuture(Optional.empty())
                : report(repo, commit, suite.context(), verdict(outcome.get()), describe(outcome.get()),
                        runUrl(suite), outcome.get().failedTests()));
    }

    private void ensureCheckout(Repository repository, CommitEvent commit, CommitSuite suite) {
        try {
            checkout.ensure(repository, commit.sha(), suite.layer());
        } catch (GitCheckout.CheckoutException e) {
            throw new CompletionException(e);
        }
    }

    private InboxEvent checkOut(Repository repository, CommitEvent commit, String runKey) {
        try {
            GitCheckout.Fetched fetched = checkout.fetch(repository, commit.sha());
            Optional<byte[]> config = fetched.config().or(() -> repository.defaultSuites()
                    .map(suites -> suites.getBytes(StandardCharsets.UTF_8)));
            if (config.isEmpty()) {
                return new InboxEvent.CheckoutFailed(commit.commitKey(), "the commit has no "
                        + PipelineConfig.FILE + ": nothing says which suites to run");
            }
            return new InboxEvent.CheckedOut(commit.commitKey(), fetched.layer(), PipelineConfig.suites(
                    config.get(), runKey, fetched.layer(), commit.fromFork()));
        } catch (GitCheckout.CheckoutException | PipelineConfig.InvalidConfigException e) {
            return new InboxEvent.CheckoutFailed(commit.commitKey(), e.getMessage());
        }
    }

    private CompletionStage<Optional<InboxEvent>> report(Repository repository, CommitEvent commit, String context,
                                                         CommitStatus.State state, String description,
                                                         String targetUrl) {
        return report(repository, commit, context, state, description, targetUrl, List.of());
    }

    private CompletionStage<Optional<InboxEvent>> report(Repository repository, CommitEvent commit, String context,
                                                         CommitStatus.State state, String description,
                                                         String targetUrl, List<SuiteRuns.FailedTest> failures) {
        return reporter.report(repository, new CommitStatus(commit.sha(), state, context, description, targetUrl),
                        failures)
                .thenApply(outcome -> Optional.of(new InboxEvent.StatusSent(commit.commitKey(), context, state,
                        outcome.reported())));
    }

    static CommitStatus.State verdict(SuiteRuns.Outcome outcome) {
        if (!outcome.error().isEmpty()) {
            return CommitStatus.State.ERROR;
        }
        if (outcome.failed() > 0) {
            return CommitStatus.State.FAILURE;
        }
        return outcome.cancelled() > 0 ? CommitStatus.State.CANCELED : CommitStatus.State.SUCCESS;
    }

    /** One line for the forge's list: the counts, and the first failing tests by name. */
    static String describe(SuiteRuns.Outcome outcome) {
        if (!outcome.error().isEmpty()) {
            return outcome.error();
        }
        String counts = outcome.passed() + " jobs passed, " + outcome.failed() + " failed"
                + (outcome.cancelled() > 0 ? ", " + outcome.cancelled() + " cancelled" : "");
        List<SuiteRuns.FailedTest> failed = outcome.failedTests();
        return failed.isEmpty() ? counts : counts + ": " + failed.stream().limit(NAMED_FAILURES)
                .map(SuiteRuns.FailedTest::name).collect(Collectors.joining(", "))
                + (failed.size() > NAMED_FAILURES ? ", …" : "");
    }

    private String runUrl(CommitSuite suite) {
        return apiUrl.get() + "/v1/runs/" + suite.runId();
    }

    /** The user a repository's runs belong to, for fair share between repositories. */
    static String user(CommitEvent commit) {
        String name = ("ci@" + commit.repository()).replaceAll("[^A-Za-z0-9._@-]", ".");
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    private static CompletionStage<Optional<InboxEvent>> done(InboxEvent event) {
        return CompletableFuture.completedFuture(Optional.of(event));
    }
}
