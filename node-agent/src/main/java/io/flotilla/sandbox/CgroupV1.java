package io.flotilla.sandbox;

import io.flotilla.protocol.job.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A slot cgroup on a cgroup v1 host: one directory per controller (pids always; memory and cpu when the host has
 * them), under the node agent's own cgroup of that controller so the host's accounting still covers jobs.
 */
final class CgroupV1 implements JobCgroup {
    private static final long CPU_PERIOD_MICROS = 100_000;

    private final Map<CgroupController, Path> dirs;
    private Limits applied;
    private long oomKills;
    private long pidsLimitHits;

    CgroupV1(Map<CgroupController, Path> dirs) throws IOException {
        this.dirs = new EnumMap<>(dirs);
        for (Path dir : dirs.values()) {
            Files.createDirectories(dir);
        }
        Path cpu = dirs.get(CgroupController.CPU);
        if (cpu != null) {
            CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
        }
        oomKills = readOomKills();
        pidsLimitHits = readPidsLimitHits();
    }

    @Override
    public void apply(Limits limits) throws IOException {
        Path memory = dirs.get(CgroupController.MEMORY);
        if (memory != null && (applied == null || applied.memoryBytes() != limits.memoryBytes())) {
            String value = limits.memoryBytes() == 0 ? "-1" : Long.toString(limits.memoryBytes());
            Path swap = memory.resolve("memory.memsw.limit_in_bytes");
            boolean hasSwapLimit = Files.exists(swap);
            if (hasSwapLimit) {
                CgroupFiles.write(swap, "-1"); // memory+swap may never be below memory: lift it first
            }
            CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), value);
            if (hasSwapLimit) {
                CgroupFiles.write(swap, value);
            }
        }
        Path pids = dirs.get(CgroupController.PIDS);
        if (applied == null || applied.pids() != limits.pids()) {
            CgroupFiles.write(pids.resolve("pids.max"), limits.pids() == 0 ? "max" : Integer.toString(limits.pids()));
        }
        Path cpu = dirs.get(CgroupController.CPU);
        if (cpu != null && (applied == null || applied.cpuMillis() != limits.cpuMillis())) {
            long quota = limits.cpuMillis() == 0 ? -1 : limits.cpuMillis() * CPU_PERIOD_MICROS / 1000;
            CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        }
        applied = limits;
    }

    @Override
    public List<Path> procsFiles(Limits limits) {
        List<Path> files = new ArrayList<>(3);
        files.add(dirs.get(CgroupController.PIDS).resolve("cgroup.procs"));
        if (limits.memoryBytes() != 0) {
            files.add(dirs.get(CgroupController.MEMORY).resolve("cgroup.procs"));
        }
        if (limits.cpuMillis() != 0) {
            files.add(dirs.get(CgroupController.CPU).resolve("cgroup.procs"));
        }
        return files;
    }

    @Override
    public LimitHits limitsHit(Limits limits) throws IOException {
        long oomBefore = oomKills;
        long pidsBefore = pidsLimitHits;
        if (limits.memoryBytes() != 0) { // only then did the job join the memory cgroup
            oomKills = readOomKills();
        }
        pidsLimitHits = readPidsLimitHits();
        return new LimitHits(oomKills > oomBefore, pidsLimitHits > pidsBefore);
    }

    private long readOomKills() throws IOException {
        Path memory = dirs.get(CgroupController.MEMORY);
        return memory == null ? 0 : CgroupFiles.keyed(memory.resolve("memory.oom_control"), "oom_kill");
    }

    private long readPidsLimitHits() throws IOException {
        return CgroupFiles.keyed(dirs.get(CgroupController.PIDS).resolve("pids.events"), "max");
    }

    @Override
    public boolean isEmpty() throws IOException {
        return Long.parseLong(Files.readString(dirs.get(CgroupController.PIDS).resolve("pids.current")).trim()) == 0;
    }

    @Override
    public void killAll() throws IOException {
        CgroupFiles.killAll(dirs.get(CgroupController.PIDS).resolve("cgroup.procs"));
    }

    @Override
    public void remove() throws IOException {
        for (Path dir : dirs.values()) {
            CgroupFiles.removeDir(dir);
        }
    }
}
