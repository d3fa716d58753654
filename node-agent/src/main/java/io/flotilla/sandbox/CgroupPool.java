package io.flotilla.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot cgroups of one sandbox, created on demand and reused: as many exist as jobs have run at once. It finds
 * whichever cgroup version the host has (v1 controllers, else the v2 unified hierarchy) and nests its cgroups
 * under this process's own, so that whoever limits the node agent also limits its jobs.
 */
final class CgroupPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CgroupPool.class);
    /** Pool names are "flotilla-PID-N"; see {@link Sandbox}. */
    static final String STALE_PREFIX = "flotilla-";

    private final Map<CgroupController, Path> bases;
    private final boolean unified;
    private final List<JobCgroup> all = new ArrayList<>();
    private final Deque<JobCgroup> free = new ArrayDeque<>();

    private CgroupPool(Map<CgroupController, Path> bases, boolean unified) {
        this.bases = bases;
        this.unified = unified;
    }

    /** A pool for this host, or an empty one (no controllers) when the host offers no usable cgroups. */
    static CgroupPool detect(Path proc, String name) throws IOException {
        List<MountInfo> mounts = MountInfo.read(proc.resolve("self/mountinfo"));
        List<String> ownCgroups = Files.readAllLines(proc.resolve("self/cgroup"));
        Map<CgroupController, Path> v1 = new EnumMap<>(CgroupController.class);
        for (CgroupController controller : CgroupController.values()) {
            v1Dir(mounts, ownCgroups, controller.kernelName).ifPresent(dir -> v1.put(controller, dir.resolve(name)));
        }
        if (v1.containsKey(CgroupController.PIDS)) {
            v1.values().forEach(base -> removeStale(base.getParent(), STALE_PREFIX));
            return new CgroupPool(v1, false);
        }
        Optional<Path> unified = v2Dir(mounts, ownCgroups);
        if (unified.isPresent()) {
            removeStale(unified.get(), STALE_PREFIX);
            Set<CgroupController> enabled = V2Delegation.enable(unified.get(), name);
            Map<CgroupController, Path> bases = new EnumMap<>(CgroupController.class);
            enabled.forEach(c -> bases.put(c, unified.get().resolve(name)));
            return new CgroupPool(bases, true);
        }
        log.warn("no usable cgroups on this host: jobs run without memory, pids or CPU limits");
        return new CgroupPool(Map.of(), false);
    }

    /** The controllers whose limits this pool can enforce. */
    Set<CgroupController> controllers() {
        return bases.isEmpty() ? EnumSet.noneOf(CgroupController.class) : EnumSet.copyOf(bases.keySet());
    }

    /** A free slot cgroup, or a new one; empty when the host has no cgroups. */
    synchronized Optional<JobCgroup> acquire() throws IOException {
        if (bases.isEmpty()) {
            return Optional.empty();
        }
        if (free.isEmpty()) {
            String slot = "slot-" + all.size();
            JobCgroup cgroup;
            if (unified) {
                cgroup = new CgroupV2(bases.values().iterator().next().resolve(slot), controllers());
            } else {
                Map<CgroupController, Path> dirs = new EnumMap<>(CgroupController.class);
                bases.forEach((controller, base) -> dirs.put(controller, base.resolve(slot)));
                cgroup = new CgroupV1(dirs);
            }
            all.add(cgroup);
            free.add(cgroup);
        }
        return Optional.of(free.pop());
    }

    synchronized void release(JobCgroup cgroup) {
        free.push(cgroup);
    }

    /** Removes every slot and the pool's own directories; processes still inside are killed first. */
    @Override
    public synchronized void close() {
        for (JobCgroup cgroup : all) {
            try {
                cgroup.killAll();
                for (int i = 0; i < 100 && !cgroup.isEmpty(); i++) {
                    Thread.sleep(10);
                }
                cgroup.remove();
            } catch (IOException e) {
                log.warn("cannot remove a slot cgroup: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        all.clear();
        free.clear();
        for (Path base : Set.copyOf(bases.values())) {
            try {
                CgroupFiles.removeDir(base);
            } catch (IOException e) {
                log.warn("cannot remove cgroup {}: {}", base, e.getMessage());
            }
        }
    }

    private static Optional<Path> v1Dir(List<MountInfo> mounts, List<String> ownCgroups, String controller) {
        for (MountInfo mount : mounts) {
            if (mount.fsType().equals("cgroup") && mount.superOptions().contains(controller)) {
                for (String line : ownCgroups) {
                    String[] parts = line.split(":", 3);
                    if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                        return Optional.of(mount.resolve(parts[2]));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> v2Dir(List<MountInfo> mounts, List<String> ownCgroups) {
        for (MountInfo mount : mounts) {
            if (mount.fsType().equals("cgroup2")) {
                for (String line : ownCgroups) {
                    if (line.startsWith("0::")) {
                        Path own = mount.resolve(line.substring(3));
                        if (Files.isReadable(own.resolve("cgroup.controllers")) && !readQuietly(own.resolve(
                                "cgroup.controllers")).isBlank()) {
                            return Optional.of(own);
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Removes pools left behind by node agents that died (their names carry the pid of the process), killing any
     * process still in them first: a job that outlived its supervisor somehow does not outlive the next one.
     */
    static void removeStale(Path parent, String prefix) {
        try (Stream<Path> entries = Files.list(parent)) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                String rest = dir.getFileName().toString().substring(prefix.length());
                long pid = Long.parseLong(rest.split("-", 2)[0]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    try (Stream<Path> slots = Files.list(dir)) {
                        for (Path slot : slots.filter(Files::isDirectory).toList()) {
                            killLeftovers(slot);
                            CgroupFiles.removeDir(slot);
                        }
                    }
                    CgroupFiles.removeDir(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("stale cgroup clean-up in {}: {}", parent, e.getMessage());
        }
    }

    private static void killLeftovers(Path slot) throws IOException {
        Path procs = slot.resolve("cgroup.procs");
        if (!CgroupFiles.pids(procs).isEmpty()) {
            log.warn("killing the processes a dead node agent left in {}: {}", slot, CgroupFiles.pids(procs));
        }
        for (int i = 0; i < 500 && !CgroupFiles.pids(procs).isEmpty(); i++) {
            CgroupFiles.killAll(procs);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
