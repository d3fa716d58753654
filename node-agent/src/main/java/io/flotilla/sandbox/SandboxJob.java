package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A job handed to a {@link Sandbox}: its output as it grows, its result when it ends, and a way to cancel it. */
public final class SandboxJob {
    private final long id;
    private final ContainerSpec spec;
    private final JobOutput output;
    private final CompletableFuture<JobResult> result = new CompletableFuture<>();
    private final Sandbox sandbox;
    final Optional<JobCgroup> cgroup;
    volatile LauncherProcess launcher;
    private volatile long hostPid;

    SandboxJob(long id, ContainerSpec spec, JobOutput output, Sandbox sandbox, Optional<JobCgroup> cgroup) {
        this.id = id;
        this.spec = spec;
        this.output = output;
        this.sandbox = sandbox;
        this.cgroup = cgroup;
    }

    public long id() {
        return id;
    }

    public ContainerSpec spec() {
        return spec;
    }

    public JobOutput output() {
        return output;
    }

    /** Completes exactly once, normally, with whatever became of the job; it never completes exceptionally. */
    public CompletableFuture<JobResult> result() {
        return result;
    }

    /** The host pid of the job's pid 1, once it has started. */
    public OptionalLong hostPid() {
        long pid = hostPid;
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Kills the job at once, with every process it started; it ends as {@code CANCELLED}. */
    public void cancel() {
        sandbox.cancel(this);
    }

    void started(long pid) {
        hostPid = pid;
    }

    boolean complete(JobResult value) {
        return result.complete(value);
    }
}
