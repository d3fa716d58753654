package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Acceptance 7: many jobs in a row leave no mounts, cgroups, network namespaces or processes behind. */
class SandboxSoakIT {
    private static final int JOBS = 500;
    private static final int IN_FLIGHT = 2;

    @Test
    void fiveHundredJobsTwoInFlightAllSucceedAndLeakNothing() throws Exception {
        TestSandbox box = TestSandbox.open();
        String cgroupName = null;
        try {
            long launcher = box.sandbox.launcherPid().orElseThrow();
            int mountsBefore = mountCount(launcher);
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            List<SandboxJob> jobs = new ArrayList<>();
            ContainerSpec spec = ContainerSpec.builder("sh", "-c", "echo $$ > /tmp/pid && cat /tmp/pid")
                    .limits(Limits.DEFAULT.withMemoryBytes(256 * Limits.MIB).withPids(100)).build();
            for (int i = 0; i < JOBS; i++) {
                inFlight.acquire();
                SandboxJob job = box.sandbox.start(spec);
                job.result().whenComplete((result, e) -> inFlight.release());
                jobs.add(job);
            }
            for (SandboxJob job : jobs) {
                JobResult result = job.result().join();
                assertTrue(result.succeeded(), result.toString());
                assertEquals("2\n", job.output().stdoutText(), "the job is init's child, in its own pid namespace");
            }
            assertEquals(launcher, box.sandbox.launcherPid().orElseThrow(), "one launcher served every job");
            assertEquals(mountsBefore, mountCount(launcher), "no mount leaked into the launcher's namespace");
            assertEquals(0, ProcessHandle.of(launcher).orElseThrow().children().count(), "no job process is left");
            assertTrue(networkNamespaces(launcher) <= 1 + IN_FLIGHT,
                    "one pooled network namespace per job in flight, plus the host's");
            cgroupName = CgroupPool.STALE_PREFIX + box.sandbox.instanceName();
            assertTrue(slotCgroups(cgroupName) <= IN_FLIGHT, "one slot cgroup per job in flight");
        } finally {
            box.close();
        }
        assertEquals(0, slotCgroups(cgroupName), "closing the sandbox removes its cgroups");
    }

    private static int mountCount(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo")).size();
    }

    private static int networkNamespaces(long pid) throws IOException {
        Set<String> namespaces = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("net:[")) {
                        namespaces.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // not a namespace we hold
                }
            }
        }
        return namespaces.size();
    }

    /** Slot cgroups of a pool, counted in the pids hierarchy (v1) or the unified one (v2). */
    private static int slotCgroups(String poolName) throws IOException {
        int count = 0;
        for (Path root : List.of(Path.of("/sys/fs/cgroup/pids"), Path.of("/sys/fs/cgroup"))) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> dirs = Files.walk(root, 6)) {
                count += (int) dirs.filter(d -> d.getParent() != null
                        && d.getParent().getFileName() != null
                        && d.getParent().getFileName().toString().equals(poolName)
                        && d.getFileName().toString().startsWith("slot-")).count();
            }
            if (count > 0) {
                break;
            }
        }
        return count;
    }
}
