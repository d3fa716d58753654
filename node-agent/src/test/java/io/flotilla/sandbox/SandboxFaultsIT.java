package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Acceptance 5: the launcher or the whole JVM dying mid-job loses no job and leaves no process behind. */
class SandboxFaultsIT {
    @RegisterExtension
    static final TestSandbox box = TestSandbox.perClass();

    @Test
    void killingTheLauncherFailsItsJobsAsInfrastructureAndANewLauncherRunsTheNextJob() throws Exception {
        String marker = "1000." + System.nanoTime() % 1_000_000;
        SandboxJob first = box.sandbox.start(ContainerSpec.builder("sleep", marker).build());
        SandboxJob second = box.sandbox.start(ContainerSpec.builder("sh", "-c", "sleep " + marker + " & wait").build());
        SandboxIsolationIT.awaitPid(first);
        SandboxIsolationIT.awaitPid(second);
        long launcher = box.sandbox.launcherPid().orElseThrow();

        ProcessHandle.of(launcher).orElseThrow().destroyForcibly();

        for (SandboxJob job : List.of(first, second)) {
            JobResult result = job.result().get(30, TimeUnit.SECONDS);
            assertEquals(Outcome.INFRASTRUCTURE_ERROR, result.outcome(), result.toString());
            assertTrue(result.message().contains("launcher"), result.message());
        }
        awaitGone(marker);
        TestSandbox.Ran next = box.sh("echo still working");
        assertEquals("still working\n", next.stdout(), next.toString());
        assertNotEquals(launcher, box.sandbox.launcherPid().orElseThrow());
    }

    /**
     * "kill-both" kills the launcher and then the JVM, with the JVM stopped first so that it cannot react: nothing
     * is left to kill the jobs but the kernel, through the death signal the launcher armed in each job.
     */
    @ParameterizedTest(name = "JVM ends by {0}")
    @ValueSource(strings = {"kill", "exit", "kill-both"})
    void theJvmEndingLeavesNoJobProcessBehind(String how) throws Exception {
        Path dataDir = Files.createTempDirectory("flotilla-holder-");
        String marker = "1000." + System.nanoTime() % 1_000_000;
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SandboxHolderMain.class.getName(), dataDir.toString(),
                marker, "3", how).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()))) {
            String line = out.readLine();
            while (line != null && !line.startsWith("ready ")) {
                line = out.readLine();
            }
            assertTrue(line != null, "the holder JVM never got its jobs running");
            long launcher = Long.parseLong(line.substring(6).trim());
            assertTrue(SandboxContainmentIT.processWithArgumentExists(marker));
            if (how.equals("kill")) {
                holder.destroyForcibly();
            } else if (how.equals("kill-both")) {
                assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(holder.pid())).start().waitFor());
                ProcessHandle.of(launcher).orElseThrow().destroyForcibly();
                holder.destroyForcibly();
            }
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            awaitGone(marker);
            for (int i = 0; i < 200 && ProcessHandle.of(launcher).map(ProcessHandle::isAlive).orElse(false); i++) {
                Thread.sleep(25);
            }
            assertFalse(ProcessHandle.of(launcher).map(ProcessHandle::isAlive).orElse(false), "launcher survived");
        } finally {
            holder.destroyForcibly();
            Sandbox.open(new SandboxConfig(dataDir, SandboxConfig.NOBODY, SandboxConfig.NOBODY)).close();
            assertFalse(Files.exists(dataDir.resolve("run")) && Files.list(dataDir.resolve("run")).findAny().isPresent(),
                    "the next sandbox on the same data dir removes what the dead one left");
            LayerCache.deleteTree(dataDir);
        }
    }

    @Test
    void processesLeftInADeadAgentsCgroupsAreKilledWhenTheNextSandboxOpens() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = ownPidsCgroup().resolve(CgroupPool.STALE_PREFIX + gone.pid() + "-1");
        Path slot = Files.createDirectories(stale.resolve("slot-0"));
        String marker = "1000." + System.nanoTime() % 1_000_000;
        Process leftover = new ProcessBuilder("sleep", marker).start();
        try {
            Files.writeString(slot.resolve("cgroup.procs"), Long.toString(leftover.pid()));

            TestSandbox.open().close();

            assertTrue(leftover.waitFor(10, TimeUnit.SECONDS), "the leftover still runs");
            assertFalse(Files.exists(stale), "the dead agent's cgroups are still there");
        } finally {
            leftover.destroyForcibly();
        }
    }

    /** This process's own cgroup of the pids controller (v1), or its unified cgroup (v2). */
    private static Path ownPidsCgroup() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (List.of(parts[1].split(",")).contains("pids")) {
                return Path.of("/sys/fs/cgroup/pids" + parts[2]);
            }
        }
        String unified = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .findFirst().orElseThrow().substring(3);
        return Path.of("/sys/fs/cgroup" + unified);
    }

    private static void awaitGone(String marker) throws Exception {
        for (int i = 0; i < 400 && SandboxContainmentIT.processWithArgumentExists(marker); i++) {
            Thread.sleep(25);
        }
        assertFalse(SandboxContainmentIT.processWithArgumentExists(marker), "a job process outlived its launcher");
    }
}
