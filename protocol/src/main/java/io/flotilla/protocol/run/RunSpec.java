package io.flotilla.protocol.run;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.suite.SuitePlan;
import io.flotilla.protocol.suite.SuiteSpec;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a user submitted: a set of jobs with one owner and one priority. The run id is the idempotency key: the
 * same id with the same body is the same run, with another body it is refused.
 *
 * @param runId chosen by the client or generated; letters, digits, '.', '_' and '-'
 * @param user who submitted it; fair share is between users
 * @param priority higher runs first, from -1000 to 1000
 * @param retries how often a job that fails on its own is run again; failures of the node are retried regardless
 * @param jobs the jobs, each with its container spec
 * @param expectedMillis how long each job is expected to take, for longest-first ordering; null when unknown
 * @param jobsPerContainer 1: each job runs in a container of its own (the default). More: up to this many jobs of
 *                         the run share one container and one slot, one after another ("per-shard isolation"); the
 *                         jobs must then differ only in command, environment, working directory and timeout. 0, as
 *                         in journals written before this field, means 1.
 * @param maxParallel the most jobs of this run that run at once, like Slurm's {@code %N}; 0 for no cap
 * @param stopAfterFailures once this many jobs have failed, the run's other jobs are cancelled (flaky-test hunting);
 *                          0 never stops
 * @param suite the test suite the run runs, or null for a run of plain jobs
 * @param plan for a suite, its tests once listed; null while the run's one job is the suite's listing step
 */
public record RunSpec(String runId, String user, int priority, int retries, List<ContainerSpec> jobs,
                      List<Long> expectedMillis, int jobsPerContainer, int maxParallel, int stopAfterFailures,
                      SuiteSpec suite, SuitePlan plan) {
    public static final int MAX_JOBS = 1_000_000;
    public static final int MAX_JOBS_PER_CONTAINER = 10_000;
    public static final int MAX_RETRIES = 10;
    public static final int MAX_PRIORITY = 1000;
    /** What a run id may be, for error messages. */
    public static final String RUN_ID_RULE =
            "run id must be 1 to 128 letters, digits, '.', '_' or '-', and not . or ..";
    private static final Pattern RUN_ID = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,128}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    public RunSpec {
        InvalidSpecException.require(isRunId(runId), "runId", RUN_ID_RULE + ", got '" + runId + "'");
        InvalidSpecException.require(user != null && USER.matcher(user).matches(), "user",
                "user must be 1 to 64 letters, digits, '.', '_', '@' or '-', got '" + user + "'");
        InvalidSpecException.require(Math.abs(priority) <= MAX_PRIORITY, "priority",
                "priority " + priority + " is outside -" + MAX_PRIORITY + " .. " + MAX_PRIORITY);
        InvalidSpecException.require(retries >= 0 && retries <= MAX_RETRIES, "retries",
                "retries " + retries + " is outside 0 .. " + MAX_RETRIES);
        InvalidSpecException.require(jobs != null && !jobs.isEmpty(), "jobs", "a run needs at least one job");
        InvalidSpecException.require(jobs.size() <= MAX_JOBS, "jobs",
                "a run may have at most " + MAX_JOBS + " jobs, this one has " + jobs.size());
        InvalidSpecException.require(jobs.stream().allMatch(java.util.Objects::nonNull), "jobs", "a job of the run is null");
        InvalidSpecException.require(expectedMillis == null || expectedMillis.size() == jobs.size()
                && expectedMillis.stream().allMatch(t -> t != null && t >= 0), "expectedMillis",
                "expected times, when given, must be one non-negative number per job");
        jobsPerContainer = jobsPerContainer == 0 ? 1 : jobsPerContainer;
        InvalidSpecException.require(jobsPerContainer >= 1 && jobsPerContainer <= MAX_JOBS_PER_CONTAINER,
                "jobsPerContainer", "jobs per container " + jobsPerContainer + " is outside 1 .. "
                        + MAX_JOBS_PER_CONTAINER);
        InvalidSpecException.require(maxParallel >= 0, "maxParallel",
                "max parallel must be 0 (no cap) or more, got " + maxParallel);
        InvalidSpecException.require(stopAfterFailures >= 0, "stopAfterFailures",
                "stop after failures must be 0 (never) or more, got " + stopAfterFailures);
        if (jobsPerContainer > 1) {
            ContainerSpec first = jobs.get(0);
            InvalidSpecException.require(first.stdinFile() == null, "jobsPerContainer",
                    "jobs that share containers cannot read a stdin file");
            for (int i = 1; i < jobs.size(); i++) {
                InvalidSpecException.require(first.sharesContainerWith(jobs.get(i)), "jobsPerContainer",
                        "jobs that share containers may differ only in command, environment, working directory and "
                                + "timeout, but job " + i + " differs from job 0 in more");
            }
        }
        InvalidSpecException.require(plan == null || suite != null, "plan", "a plan needs its suite");
        InvalidSpecException.require(suite == null || plan != null || jobs.size() == 1, "jobs",
                "a suite run starts with one job, its listing step");
        InvalidSpecException.require(plan == null || plan.jobTests().size() == jobs.size(), "plan",
                "a suite's plan names the tests of each job");
        jobs = List.copyOf(jobs);
        expectedMillis = expectedMillis == null ? null : List.copyOf(expectedMillis);
    }

    /** Whether a text can name a run: it is then safe as a file name and a URL path segment too. */
    public static boolean isRunId(String text) {
        return text != null && RUN_ID.matcher(text).matches();
    }

    /** A run of plain jobs, no suite. */
    public RunSpec(String runId, String user, int priority, int retries, List<ContainerSpec> jobs,
                   List<Long> expectedMillis, int jobsPerContainer, int maxParallel, int stopAfterFailures) {
        this(runId, user, priority, retries, jobs, expectedMillis, jobsPerContainer, maxParallel, stopAfterFailures,
                null, null);
    }

    /** Whether the run is a suite whose tests are still being listed: its one job is the listing step. */
    public boolean isListing() {
        return suite != null && plan == null;
    }

    /** A run whose jobs each get a container of their own, as many at once as there are slots, to the end. */
    public RunSpec(String runId, String user, int priority, int retries, List<ContainerSpec> jobs,
                   List<Long> expectedMillis) {
        this(runId, user, priority, retries, jobs, expectedMillis, 1, 0, 0, null, null);
    }

    /** The expected time of a job, or 0 when unknown. */
    public long expectedMillis(int job) {
        return expectedMillis == null ? 0 : expectedMillis.get(job);
    }
}
