package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import io.flotilla.protocol.job.Limits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several jobs run one after another in one container: per-shard isolation, for jobs whose start-up cost a
 * container each would multiply. The container's pid 1 is the static {@code shard-runner} (see its header in
 * {@code src/main/c/shard-runner}); the node shares a directory with it that holds the plan, each job's output and
 * each job's status. The directory is never mounted in the container: the runner gets it as a file descriptor, so
 * the jobs, which are hostile, cannot put links or FIFOs where the node reads.
 *
 * <p>The jobs share the filesystem, {@code /tmp}, network, processes and limits of the container: the memory, pids
 * and CPU limits hold for the container as a whole, and a job the kernel kills for memory shows as killed by
 * signal 9. Each job keeps its own command, environment, working directory, timeout and output limit. A job cut
 * short because the container itself ended (it was cancelled, or hit its limits) is reported with that reason; the
 * jobs after it never ran, and are reported as failures of the node so that they run again.
 */
public final class SharedContainer {
    static final String RUNNER_PATH = "/.flotilla/shard-runner";
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final SandboxJob container;
    private final Path exchange;
    private final int jobs;
    private final CompletableFuture<List<JobResult>> results;

    private SharedContainer(SandboxJob container, Path exchange, int jobs) {
        this.container = container;
        this.exchange = exchange;
        this.jobs = jobs;
        this.results = container.result().thenApply(this::jobResults);
    }

    static SharedContainer start(Sandbox sandbox, List<ContainerSpec> specs, Path runner, Path sharedDir, int uid,
                                 int gid) throws IOException {
        InvalidSpecException.require(!specs.isEmpty(), "jobs", "a shared container needs at least one job");
        ContainerSpec first = specs.get(0);
        for (int i = 1; i < specs.size(); i++) {
            InvalidSpecException.require(first.sharesContainerWith(specs.get(i)), "jobs", "job " + i
                    + " cannot share a container with job 0: they differ in more than command, environment, working "
                    + "directory and timeout");
        }
        Path exchange = Files.createDirectory(sharedDir.resolve(Long.toString(NEXT_ID.getAndIncrement())),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(exchange, "unix:uid", uid);
        Files.setAttribute(exchange, "unix:gid", gid);
        Files.write(exchange.resolve("plan"), plan(specs));
        ContainerSpec.Builder container = ContainerSpec.builder(RUNNER_PATH)
                .network(first.network()).writable(first.writable()).hostname(first.hostname())
                .limits(first.limits().withTimeout(totalTimeout(specs)));
        first.layers().forEach(container::layer);
        try {
            return new SharedContainer(sandbox.start(container.build(), List.of(
                    new MountPlan.Step(MountPlan.Kind.BIND_READ_ONLY, runner.toString(), RUNNER_PATH)), exchange),
                    exchange, specs.size());
        } catch (RuntimeException e) {
            LayerCache.deleteTree(exchange);
            throw e;
        }
    }

    /** The plan the runner reads: per job, NUL-terminated fields, in the order its header gives. */
    private static byte[] plan(List<ContainerSpec> specs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ContainerSpec spec : specs) {
            Limits limits = spec.limits();
            field(out, spec.workdir());
            field(out, Long.toString(limits.timeout().toMillis()));
            field(out, Long.toString(limits.killGrace().toMillis()));
            field(out, Long.toString(limits.outputLimitBytes()));
            field(out, Integer.toString(spec.command().size()));
            spec.command().forEach(arg -> field(out, arg));
            Map<String, String> env = JobEnvironment.of(spec);
            field(out, Integer.toString(env.size()));
            env.forEach((name, value) -> field(out, name + "=" + value));
        }
        return out.toByteArray();
    }

    private static void field(OutputStream out, String value) {
        try {
            out.write(value.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The container's own timeout: every job's, with its grace, one after another; none if any job has none. */
    private static Duration totalTimeout(List<ContainerSpec> specs) {
        Duration total = Duration.ofSeconds(10);
        for (ContainerSpec spec : specs) {
            if (spec.limits().timeout().isZero()) {
                return Duration.ZERO;
            }
            total = total.plus(spec.limits().timeout()).plus(spec.limits().killGrace());
        }
        return total.compareTo(Limits.MAX_TIMEOUT) > 0 ? Limits.MAX_TIMEOUT : total;
    }

    /** One result per job, in the order of the specs; completes when the container has ended. */
    public CompletableFuture<List<JobResult>> results() {
        return results;
    }

    public Path stdout(int job) {
        return exchange.resolve(job + ".out");
    }

    public Path stderr(int job) {
        return exchange.resolve(job + ".err");
    }

    /** Kills the container with every job in it; the jobs end as {@code CANCELLED}. */
    public void cancel() {
        container.cancel();
    }

    /** Removes the jobs' output and statuses, and the container's own output. */
    public void delete() throws IOException {
        LayerCache.deleteTree(exchange);
        container.output().delete();
    }

    private List<JobResult> jobResults(JobResult containerResult) {
        List<JobResult> out = new ArrayList<>(jobs);
        for (int job = 0; job < jobs; job++) {
            JobResult status = readStatus(job);
            if (status != null) {
                out.add(status);
            } else if (containerResult.outcome() == Outcome.CANCELLED) {
                out.add(containerResult);
            } else if (Files.exists(stdout(job))) { // the runner had started it
                out.add(cutShort(containerResult, "the shared container ended while this job ran: "
                        + describe(containerResult)));
            } else {
                out.add(JobResult.infrastructureError("the shared container ended before this job started: "
                        + describe(containerResult)));
            }
        }
        return out;
    }

    private static JobResult cutShort(JobResult container, String message) {
        return switch (container.outcome()) {
            case TIMED_OUT, MEMORY_LIMIT -> new JobResult(container.outcome(), container.exitCode(),
                    container.signal(), message, container.wallTime(), container.cpuTime(), container.maxRssBytes(),
                    OutputSummary.EMPTY, OutputSummary.EMPTY, container.pidsLimitReached());
            default -> JobResult.infrastructureError(message);
        };
    }

    private static String describe(JobResult container) {
        String what = container.outcome().name().toLowerCase().replace('_', ' ');
        return container.message().isEmpty() ? what : what + " (" + container.message() + ")";
    }

    /** The job's status as the runner wrote it, or null when the job never finished. */
    private JobResult readStatus(int job) {
        List<String> lines;
        try {
            Path file = exchange.resolve(job + ".status");
            if (!Files.exists(file)) {
                return null;
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return JobResult.infrastructureError("cannot read the status of job " + job + ": " + e.getMessage());
        }
        String[] f = lines.get(0).split(" ");
        Outcome outcome = switch (f[0]) {
            case "exited" -> Outcome.EXITED;
            case "signaled" -> Outcome.SIGNALED;
            case "timed_out" -> Outcome.TIMED_OUT;
            default -> Outcome.LAUNCH_ERROR;
        };
        return new JobResult(outcome, Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                outcome == Outcome.LAUNCH_ERROR && lines.size() > 1 ? lines.get(1) : "",
                Duration.ofMillis(Long.parseLong(f[3])), Duration.ofMillis(Long.parseLong(f[4])),
                Long.parseLong(f[5]) * 1024, new OutputSummary(Long.parseLong(f[6]), Long.parseLong(f[7])),
                new OutputSummary(Long.parseLong(f[8]), Long.parseLong(f[9])), false);
    }
}
