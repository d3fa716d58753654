package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs container specs on this machine, each job in its own set of Linux namespaces, with many jobs in flight.
 *
 * <p>One native launcher does the work for all jobs (see {@code launcher.c} for what every job is guaranteed). If
 * it dies, the jobs it ran end as {@link JobResult.Outcome#INFRASTRUCTURE_ERROR} and the next job starts a new
 * one. Closing the sandbox kills every job it still runs and removes its cgroups and job output.
 *
 * <p>Thread-safe. A bad spec or layer fails fast with {@link InvalidSpecException}; everything that happens once a
 * job is accepted is reported in its {@link JobResult}.
 */
public final class Sandbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SandboxConfig config;
    private final String name;
    private final Path instanceDir;
    private final Path jobsDir;
    private final Path launcherBinary;
    private final Path shardRunner;
    private final HostBase base;
    private final LayerCache layers;
    private final CgroupPool cgroups;
    private final AtomicLong nextJobId = new AtomicLong(1);
    private final Map<Long, SandboxJob> running = new ConcurrentHashMap<>();
    private LauncherProcess launcher; // guarded by this
    private volatile boolean closed;

    private Sandbox(SandboxConfig config, String name, Path instanceDir, Path launcherBinary, Path shardRunner,
                    HostBase base, LayerCache layers, CgroupPool cgroups) {
        this.config = config;
        this.name = name;
        this.instanceDir = instanceDir;
        this.jobsDir = instanceDir.resolve("jobs");
        this.launcherBinary = launcherBinary;
        this.shardRunner = shardRunner;
        this.base = base;
        this.layers = layers;
        this.cgroups = cgroups;
    }

    /** Prepares the base, the layer cache and the cgroups, and starts the launcher. */
    public static Sandbox open(SandboxConfig config) throws IOException {
        String name = ProcessHandle.current().pid() + "-" + INSTANCES.incrementAndGet();
        OwnerOnly.directory(config.dataDir());
        Path runDir = config.dataDir().resolve("run");
        removeStaleInstances(runDir);
        Path instanceDir = Files.createDirectories(runDir.resolve(name));
        Files.createDirectories(instanceDir.resolve("jobs"));
        Path binary = NativeBinary.extract(config.dataDir().resolve("bin"), NativeBinary.LAUNCHER);
        Path shardRunner = NativeBinary.extract(config.dataDir().resolve("bin"), NativeBinary.SHARD_RUNNER);
        HostBase base = HostBase.prepare(Path.of("/"), instanceDir.resolve("etc"), config.jobUid(),
                config.jobGid());
        LayerCache layers = new LayerCache(config.dataDir().resolve("layers"),
                new BlobStore(config.dataDir().resolve("blobs")), config.layerLimits());
        CgroupPool cgroups = CgroupPool.detect(Path.of("/proc"), CgroupPool.STALE_PREFIX + name);
        Sandbox sandbox = new Sandbox(config, name, instanceDir, binary, shardRunner, base, layers, cgroups);
        try {
            sandbox.launcher();
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            throw e;
        }
        return sandbox;
    }

    /** "PID-N": names this sandbox's run directory and cgroups, so that leftovers of a dead process are found. */
    String instanceName() {
        return name;
    }

    public LayerCache layers() {
        return layers;
    }

    /** The pid of the launcher now running, if any. */
    public synchronized OptionalLong launcherPid() {
        return launcher != null && launcher.isAlive() ? OptionalLong.of(launcher.pid()) : OptionalLong.empty();
    }

    /** Runs a job and waits for its result. */
    public JobResult run(ContainerSpec spec) throws InterruptedException {
        try {
            return start(spec).result().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a job result never completes exceptionally", e);
        }
    }

    /**
     * Starts a job and returns at once.
     *
     * @throws InvalidSpecException when a layer is missing, or a limit cannot be enforced on this node
     */
    public SandboxJob start(ContainerSpec spec) {
        return start(spec, List.of(), null);
    }

    /**
     * Starts jobs that share one container and run one after another in it ("per-shard isolation"); see
     * {@link SharedContainer}.
     *
     * @throws InvalidSpecException when the jobs cannot share a container, a layer is missing, or a limit cannot be
     *                              enforced on this node
     */
    public SharedContainer startShared(List<ContainerSpec> specs) {
        try {
            return SharedContainer.start(this, specs, shardRunner, Files.createDirectories(instanceDir.resolve("shared")),
                    config.jobUid(), config.jobGid());
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare a shared container: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a job whose root also gets {@code agentMounts}, mounts only the node itself asks for, and whose program
     * gets {@code sharedDir} (null for none) as descriptor 3.
     */
    SandboxJob start(ContainerSpec spec, List<MountPlan.Step> agentMounts, Path sharedDir) {
        if (closed) {
            throw new IllegalStateException("the sandbox is closed");
        }
        List<MountPlan.Step> mounts = new ArrayList<>(MountPlan.forSpec(spec, base,
                digest -> layers.find(digest).orElse(null)));
        mounts.addAll(agentMounts);
        requireEnforceable(spec.limits());
        long id = nextJobId.getAndIncrement();
        SandboxJob job;
        try {
            Optional<JobCgroup> cgroup = cgroups.acquire();
            if (cgroup.isPresent()) {
                cgroup.get().apply(spec.limits());
            }
            job = new SandboxJob(id, spec, new JobOutput(jobsDir, id), this, cgroup);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare job " + id + ": " + e.getMessage(), e);
        }
        byte[] frame = JobRequests.start(job, mounts, sharedDir, config.tmpfsBytes(),
                base.ownHosts(spec.hostname(), mounts));
        running.put(id, job);
        try {
            LauncherProcess current = launcher();
            job.launcher = current;
            current.send(frame);
        } catch (IOException e) {
            finish(job, JobResult.infrastructureError("cannot hand the job to the sandbox launcher: " + e.getMessage()),
                    false);
        }
        return job;
    }

    private void requireEnforceable(Limits limits) {
        var available = cgroups.controllers();
        InvalidSpecException.require(limits.memoryBytes() == 0 || available.contains(CgroupController.MEMORY),
                "limits.memory", "this node cannot enforce a memory limit: it has no memory cgroup controller");
        InvalidSpecException.require(limits.pids() == 0 || available.contains(CgroupController.PIDS),
                "limits.pids", "this node cannot enforce a pids limit: it has no pids cgroup controller");
        InvalidSpecException.require(limits.cpuMillis() == 0 || available.contains(CgroupController.CPU),
                "limits.cpus", "this node cannot enforce a CPU limit: it has no cpu cgroup controller");
    }

    void cancel(SandboxJob job) {
        LauncherProcess current = job.launcher;
        if (current == null || job.result().isDone()) {
            return;
        }
        try {
            current.send(StartRequest.kill(job.id()));
        } catch (IOException e) {
            log.debug("cancel of job {} found the launcher gone", job.id());
        }
    }

    private synchronized LauncherProcess launcher() throws IOException {
        if (closed) {
            throw new IOException("the sandbox is closed");
        }
        if (launcher == null || !launcher.isAlive()) {
            launcher = LauncherProcess.start(launcherBinary, instanceDir.resolve("launcher"), config.jobUid(),
                    config.jobGid(), new Listener());
            log.debug("sandbox launcher started, pid {}", launcher.pid());
        }
        return launcher;
    }

    /**
     * Completes a job exactly once and gives its cgroup back.
     *
     * @param reaped the launcher reaped the job's pid 1, and with it, by the pid namespace, every process of the
     *               job; otherwise the cgroup is emptied first
     */
    private void finish(SandboxJob job, JobResult result, boolean reaped) {
        if (running.remove(job.id(), job)) {
            job.cgroup.ifPresent(cgroup -> recycle(job, cgroup, reaped));
            job.complete(result);
        }
    }

    private void recycle(SandboxJob job, JobCgroup cgroup, boolean reaped) {
        try {
            if (reaped || cgroup.isEmpty()) {
                cgroups.release(cgroup);
                return;
            }
        } catch (IOException e) {
            log.warn("cannot read cgroup of job {}: {}", job.id(), e.getMessage());
        }
        CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 500 && !cgroup.isEmpty(); i++) {
                    cgroup.killAll();
                    Thread.sleep(10);
                }
                if (cgroup.isEmpty()) {
                    cgroups.release(cgroup);
                } else {
                    log.error("processes of job {} survive SIGKILL; its cgroup is retired", job.id());
                }
            } catch (IOException e) {
                log.error("cannot empty cgroup of job {}: {}", job.id(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Events from the launcher, on its reader thread. */
    private final class Listener implements LauncherProcess.Listener {
        @Override
        public void started(LauncherProcess from, LauncherEvent.Started event) {
            SandboxJob job = running.get(event.jobId());
            if (job != null) {
                job.started(event.hostPid());
            }
        }

        @Override
        public void finished(LauncherProcess from, LauncherEvent.Finished event) {
            SandboxJob job = running.get(event.jobId());
            if (job != null) {
                finish(job, JobResults.from(event, job), true);
            }
        }

        @Override
        public void died(LauncherProcess from, String reason) {
            String why = closed ? "the sandbox was closed while the job ran" : reason;
            for (SandboxJob job : List.copyOf(running.values())) {
                if (job.launcher == from) {
                    finish(job, JobResult.infrastructureError(why), false);
                }
            }
        }
    }

    /** Kills every job still running, then removes the cgroups, the launcher's state and all job output. */
    @Override
    public void close() {
        LauncherProcess last;
        synchronized (this) {
            closed = true;
            last = launcher;
            launcher = null;
        }
        if (last != null) {
            last.close();
        }
        for (SandboxJob job : List.copyOf(running.values())) {
            finish(job, JobResult.infrastructureError("the sandbox was closed while the job ran"), false);
        }
        cgroups.close();
        try {
            LayerCache.deleteTree(instanceDir);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", instanceDir, e.getMessage());
        }
    }

    private static void removeStaleInstances(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(runDir)) {
            for (Path dir : dirs.toList()) {
                long pid = Long.parseLong(dir.getFileName().toString().split("-", 2)[0]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    LayerCache.deleteTree(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("stale sandbox clean-up in {}: {}", runDir, e.getMessage());
        }
    }
}
