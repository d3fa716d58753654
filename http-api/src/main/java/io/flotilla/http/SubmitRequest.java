package io.flotilla.http;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Quantities;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.Seeds;
import io.flotilla.protocol.suite.SuiteCommands;
import io.flotilla.protocol.suite.SuiteSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of {@code POST /v1/runs}: exactly one of a job list, a repeat (one job N times, for hunting a flaky
 * test), a batch (N copies of a template, for Monte Carlo) or a test suite, and the run's options.
 *
 * <p>Every copy of a repeat or a batch gets {@code FLOTILLA_TASK_INDEX} (0 to N-1) and {@code FLOTILLA_SEED} (a
 * 64-bit seed derived from the run's seed and the index, so that a copy can be rerun with the seed it had).
 */
record SubmitRequest(String runId, Integer priority, Integer retries, Integer jobsPerContainer, Integer maxParallel,
                     List<JobJson> jobs, Repeat repeat, Batch batch, Suite suite) {

    /** One job, {@code count} times; the run stops after {@code stopAfterFailures} failures (0: never). */
    record Repeat(JobJson job, Integer count, Integer stopAfterFailures, Long seed) {
    }

    /** {@code count} copies of a template, at most {@code maxParallel} at once (0: no cap). */
    record Batch(JobJson template, Integer count, Integer maxParallel, Long seed) {
    }

    /**
     * A test suite, listed and run in the container {@code job} describes, which names no command: the suite's kind
     * gives the commands. The run stops after {@code stopAfterFailures} failed jobs (0: never).
     */
    record Suite(String kind, String name, List<String> targets, List<String> include, List<String> exclude,
                 String marker, String isolation, Integer shardSize, Integer repeat, Integer stopAfterFailures,
                 Boolean listOnly, String groupTime, List<String> jvmArgs, JobJson job) {
        RunSpec listingRun(String runId, String user, int priority, int retries, int maxParallel, SubmitRules rules) {
            SuiteSpec spec = new SuiteSpec(parse(SuiteSpec.Kind.class, kind, "suite.kind"), name, targets, include,
                    exclude, marker, isolation == null ? null : parse(SuiteSpec.Isolation.class, isolation,
                    "suite.isolation"), orZero(shardSize), orZero(repeat), Boolean.TRUE.equals(listOnly),
                    groupTime == null ? null : Quantities.parseDuration(groupTime, "suite.groupTime").toMillis(),
                    jvmArgs);
            InvalidSpecException.require(job != null, "suite.job", "a suite needs a job: the container its tests "
                    + "run in");
            InvalidSpecException.require(job.command() == null, "suite.job.command", "a suite's job gives the "
                    + "container only; the suite's kind gives the commands");
            ContainerSpec listing = job.withCommand(SuiteCommands.listing(spec)).toSpec("suite.job", rules);
            return new RunSpec(runId, user, priority, retries, List.of(listing), null, 1, maxParallel,
                    orZero(stopAfterFailures), spec, null);
        }

        private static <E extends Enum<E>> E parse(Class<E> type, String text, String field) {
            InvalidSpecException.require(text != null, field, field + " is required");
            try {
                return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException(field, "unknown " + field + " '" + text + "'; one of "
                        + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
            }
        }
    }

    /**
     * The run this asks for.
     *
     * @param id the run id to use when the request names none
     * @param randomSeed the seed of a repeat or batch that names none
     * @throws InvalidSpecException naming the field at fault
     * @throws NotAllowedException naming the field that asks for what the rules do not allow
     */
    RunSpec toRunSpec(String id, String user, long randomSeed, SubmitRules rules) {
        int given = (jobs != null ? 1 : 0) + (repeat != null ? 1 : 0) + (batch != null ? 1 : 0)
                + (suite != null ? 1 : 0);
        InvalidSpecException.require(given == 1, "jobs", "a run needs exactly one of jobs, repeat, batch and suite; "
                + "this request has " + given);
        if (suite != null) {
            InvalidSpecException.require(jobsPerContainer == null, "jobsPerContainer", "a suite shares containers "
                    + "through its isolation, not jobsPerContainer");
            return suite.listingRun(runId == null ? id : runId, user, orZero(priority), orZero(retries),
                    orZero(maxParallel), rules);
        }
        List<ContainerSpec> specs;
        int parallel = orZero(maxParallel);
        int stopAfter = 0;
        if (jobs != null) {
            specs = new ArrayList<>(jobs.size());
            for (int i = 0; i < jobs.size(); i++) {
                InvalidSpecException.require(jobs.get(i) != null, "jobs[" + i + "]", "job " + i + " is null");
                specs.add(jobs.get(i).toSpec("jobs[" + i + "]", rules));
            }
        } else if (repeat != null) {
            specs = copies(repeat.job(), "repeat", "job", repeat.count(),
                    repeat.seed() == null ? randomSeed : repeat.seed(), rules);
            stopAfter = orZero(repeat.stopAfterFailures());
        } else {
            specs = copies(batch.template(), "batch", "template", batch.count(),
                    batch.seed() == null ? randomSeed : batch.seed(), rules);
            InvalidSpecException.require(maxParallel == null || batch.maxParallel() == null, "batch.maxParallel",
                    "give maxParallel once, in the batch or beside it");
            parallel = batch.maxParallel() == null ? parallel : batch.maxParallel();
        }
        return new RunSpec(runId == null ? id : runId, user, orZero(priority), orZero(retries), specs, null,
                orZero(jobsPerContainer), parallel, stopAfter);
    }

    /** {@code count} copies of the job under {@code kind.jobKey}, each with its index and seed. */
    private static List<ContainerSpec> copies(JobJson job, String kind, String jobKey, Integer count, long seed,
                                              SubmitRules rules) {
        InvalidSpecException.require(job != null, kind + "." + jobKey, "a " + kind + " needs a job");
        InvalidSpecException.require(count != null && count >= 1 && count <= RunSpec.MAX_JOBS, kind + ".count",
                "count " + count + " is outside 1 .. " + RunSpec.MAX_JOBS);
        ContainerSpec spec = job.toSpec(kind + "." + jobKey, rules);
        List<ContainerSpec> specs = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            specs.add(spec.withEnv(Map.of("FLOTILLA_TASK_INDEX", Integer.toString(index),
                    "FLOTILLA_SEED", Long.toUnsignedString(Seeds.of(seed, index)))));
        }
        return specs;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
