package io.flotilla.sandbox;

import io.flotilla.protocol.job.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** A slot cgroup on a cgroup v2 host: one directory in the unified hierarchy, with every enabled controller. */
final class CgroupV2 implements JobCgroup {
    private static final long CPU_PERIOD_MICROS = 100_000;

    private final Path dir;
    private final Set<CgroupController> controllers;
    private Limits applied;
    private long oomKills;
    private long pidsLimitHits;

    CgroupV2(Path dir, Set<CgroupController> controllers) throws IOException {
        this.dir = dir;
        this.controllers = controllers;
        Files.createDirectories(dir);
        oomKills = readOomKills();
        pidsLimitHits = readPidsLimitHits();
    }

    @Override
    public void apply(Limits limits) throws IOException {
        if (controllers.contains(CgroupController.MEMORY)
                && (applied == null || applied.memoryBytes() != limits.memoryBytes())) {
            String value = limits.memoryBytes() == 0 ? "max" : Long.toString(limits.memoryBytes());
            CgroupFiles.write(dir.resolve("memory.max"), value);
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                CgroupFiles.write(swap, limits.memoryBytes() == 0 ? "max" : "0");
            }
        }
        if (controllers.contains(CgroupController.PIDS) && (applied == null || applied.pids() != limits.pids())) {
            CgroupFiles.write(dir.resolve("pids.max"), limits.pids() == 0 ? "max" : Integer.toString(limits.pids()));
        }
        if (controllers.contains(CgroupController.CPU)
                && (applied == null || applied.cpuMillis() != limits.cpuMillis())) {
            String quota = limits.cpuMillis() == 0 ? "max"
                    : Long.toString(limits.cpuMillis() * CPU_PERIOD_MICROS / 1000);
            CgroupFiles.write(dir.resolve("cpu.max"), quota + " " + CPU_PERIOD_MICROS);
        }
        applied = limits;
    }

    @Override
    public List<Path> procsFiles(Limits limits) {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public LimitHits limitsHit(Limits limits) throws IOException {
        long oomBefore = oomKills;
        long pidsBefore = pidsLimitHits;
        oomKills = readOomKills();
        pidsLimitHits = readPidsLimitHits();
        return new LimitHits(oomKills > oomBefore, pidsLimitHits > pidsBefore);
    }

    private long readOomKills() throws IOException {
        return controllers.contains(CgroupController.MEMORY) ? CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill")
                : 0;
    }

    private long readPidsLimitHits() throws IOException {
        return controllers.contains(CgroupController.PIDS) ? CgroupFiles.keyed(dir.resolve("pids.events"), "max") : 0;
    }

    @Override
    public boolean isEmpty() throws IOException {
        return CgroupFiles.keyed(dir.resolve("cgroup.events"), "populated") == 0;
    }

    @Override
    public void killAll() throws IOException {
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            CgroupFiles.write(kill, "1");
        } else {
            CgroupFiles.killAll(dir.resolve("cgroup.procs"));
        }
    }

    @Override
    public void remove() throws IOException {
        CgroupFiles.removeDir(dir);
    }
}
