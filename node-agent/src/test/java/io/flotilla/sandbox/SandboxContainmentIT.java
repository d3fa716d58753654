package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Acceptance 4: a job that misbehaves is contained within its limits, and the result says which limit it hit. */
class SandboxContainmentIT {
    @RegisterExtension
    static final TestSandbox box = TestSandbox.perClass();
    private static final long TMPFS_CAP = 64 * Limits.MIB;
    @RegisterExtension
    static final TestSandbox smallTmpfs = TestSandbox.perClass(TMPFS_CAP);

    /**
     * With no memory limit, a job fills each tmpfs it can write (/tmp, /dev/shm, a writable root and the upper of
     * a writable layer) with 2 GiB while it holds the others full: each stops at the cap with "No space left on
     * device", and the host's available memory, read by the job while it holds all of them, stays within what the
     * test sets aside.
     */
    @Test
    void aJobFillingItsTmpfsMountsStopsAtTheCapAndLeavesTheHostItsMemory() throws Exception {
        long availableBefore = memAvailableKib(Files.readString(Path.of("/proc/meminfo")));
        String fill = "for f in /tmp/fill /dev/shm/fill /fill /usr/fill; do dd if=/dev/zero of=$f bs=1M count=2048 "
                + "2>&1 | grep -o 'No space left on device'; echo $f $(($(stat -c %s $f) >> 20)); done; "
                + "cat /proc/meminfo";
        TestSandbox.Ran ran = smallTmpfs.run(ContainerSpec.builder("sh", "-c", fill).writable(true).build());
        List<String> lines = ran.stdout().lines().toList();
        for (int i = 0; i < 4; i++) {
            assertEquals("No space left on device", lines.get(2 * i), ran.toString());
            String[] written = lines.get(2 * i + 1).split(" ");
            assertTrue(Long.parseLong(written[1]) <= TMPFS_CAP / Limits.MIB, "past the cap: " + lines.get(2 * i + 1));
        }
        long availableWhileFull = memAvailableKib(ran.stdout());
        long setAside = 1L << 20; // KiB: a gigabyte for the job's 4 x 64 MiB and whatever else the machine does
        assertTrue(availableWhileFull > availableBefore - setAside,
                "available memory fell from " + availableBefore + " to " + availableWhileFull + " KiB");
    }

    private static long memAvailableKib(String meminfo) {
        return meminfo.lines().filter(line -> line.startsWith("MemAvailable:")).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("\\D", ""))).orElseThrow();
    }

    @Test
    void aForkBombStopsAtThePidsLimit() throws Exception {
        Limits limits = Limits.DEFAULT.withPids(64).withTimeout(Duration.ofSeconds(5)).withKillGrace(Duration.ZERO);
        String bomb = "bomb() { bomb | bomb & }; bomb; sleep 3; ps -e --no-headers | wc -l";
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("bash", "-c", bomb).limits(limits).build());
        assertTrue(ran.result().pidsLimitReached(), ran.toString());
        assertTrue(ran.result().wallTime().compareTo(Duration.ofSeconds(30)) < 0, ran.toString());
        if (ran.result().outcome() == Outcome.EXITED) {
            assertTrue(Integer.parseInt(ran.stdout().trim()) <= 64, "never more than 64 processes: " + ran);
        } else {
            assertEquals(Outcome.TIMED_OUT, ran.result().outcome(), ran.toString());
        }
    }

    @Test
    void aGigabyteAllocationUnderA64MegabyteLimitIsReportedAsTheMemoryLimit() throws Exception {
        Limits limits = Limits.DEFAULT.withMemoryBytes(64 * Limits.MIB);
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("python3", "-c",
                "b = bytearray(1 << 30); print('allocated', len(b))").limits(limits).build());
        assertEquals(Outcome.MEMORY_LIMIT, ran.result().outcome(), ran.toString());
        assertEquals("", ran.stdout());
        // RSS also counts shared library pages charged to other cgroups, so it may pass the limit a little.
        assertTrue(ran.result().maxRssBytes() < 128 * Limits.MIB, "the gigabyte was never resident: " + ran);
    }

    @Test
    void twoGigabytesOfStdoutAreTruncatedToTheOutputLimitWithoutTouchingTheHeap() throws Exception {
        long heapBefore = usedHeap();
        long diskBefore = Files.getFileStore(box.dataDir).getUsableSpace();
        Limits limits = Limits.DEFAULT.withOutputLimitBytes(Limits.MIB);
        SandboxJob job = box.sandbox.start(ContainerSpec.builder("head", "-c", "2G", "/dev/zero").limits(limits).build());
        JobResult result = job.result().join();
        long heapAfter = usedHeap();
        long diskTaken = diskBefore - Files.getFileStore(box.dataDir).getUsableSpace();
        assertTrue(diskTaken < 256 * Limits.MIB, "the 2 GiB took " + diskTaken + " bytes of the node's disk");
        assertEquals(Outcome.EXITED, result.outcome(), result.toString());
        assertEquals(0, result.exitCode(), "the job was never blocked or broken: " + result);
        assertEquals(2L << 30, result.stdout().bytes());
        assertEquals(Limits.MIB, result.stdout().keptBytes());
        assertTrue(result.stdout().truncated());
        assertEquals(Limits.MIB, Files.size(job.output().stdout()));
        assertTrue(heapAfter - heapBefore < 64 * Limits.MIB,
                "heap grew by " + (heapAfter - heapBefore) + " bytes while 2 GiB went by");
        job.output().delete();
    }

    @Test
    void outputCanBeReadWhileTheJobRuns() throws Exception {
        SandboxJob job = box.sandbox.start(ContainerSpec.builder("sh", "-c", "echo started; echo warming >&2; sleep 60")
                .build());
        for (int i = 0; i < 1000 && !job.output().stdoutText().equals("started\n"); i++) {
            Thread.sleep(10);
        }
        assertEquals("started\n", job.output().stdoutText());
        assertEquals("warming\n", job.output().stderrText());
        assertTrue(!job.result().isDone(), "the job is still running");
        job.cancel();
        assertEquals(Outcome.CANCELLED, job.result().get(10, TimeUnit.SECONDS).outcome());
        job.output().delete();
    }

    @Test
    void aJobThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Limits limits = Limits.DEFAULT.withTimeout(Duration.ofSeconds(1)).withKillGrace(Duration.ofSeconds(1));
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("sh", "-c", "trap '' TERM; sleep 1000 & wait; wait")
                .limits(limits).build());
        assertEquals(Outcome.TIMED_OUT, ran.result().outcome(), ran.toString());
        assertEquals(9, ran.result().signal(), "it took SIGKILL: " + ran);
        Duration wall = ran.result().wallTime();
        assertTrue(wall.compareTo(Duration.ofMillis(1900)) >= 0 && wall.compareTo(Duration.ofSeconds(20)) < 0,
                "timeout + grace, then dead: " + wall);
    }

    @Test
    void aTimedOutJobThatHonoursSigtermEndsWithoutWaitingForTheGrace() throws Exception {
        Limits limits = Limits.DEFAULT.withTimeout(Duration.ofMillis(500)).withKillGrace(Duration.ofSeconds(30));
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("sh", "-c", "trap 'exit 3' TERM; sleep 1000 & wait")
                .limits(limits).build());
        assertEquals(Outcome.TIMED_OUT, ran.result().outcome(), ran.toString());
        assertEquals(3, ran.result().exitCode(), ran.toString());
        assertTrue(ran.result().wallTime().compareTo(Duration.ofSeconds(20)) < 0, ran.toString());
    }

    @Test
    void aDaemonStartedWithSetsidIsGoneWhenTheJobEnds() throws Exception {
        String marker = "1000." + System.nanoTime() % 1_000_000;
        TestSandbox.Ran ran = box.sh("setsid sleep " + marker + " > /dev/null 2>&1 < /dev/null & sleep 0.2; echo started");
        assertEquals("started\n", ran.stdout(), ran.toString());
        assertTrue(ran.result().wallTime().compareTo(Duration.ofSeconds(20)) < 0, ran.toString());
        for (int i = 0; i < 200 && processWithArgumentExists(marker); i++) {
            Thread.sleep(25);
        }
        assertTrue(!processWithArgumentExists(marker), "the setsid daemon outlived its job");
    }

    @Test
    void aCpuLimitThrottlesTheJob() throws Exception {
        Limits limits = Limits.DEFAULT.withCpuMillis(250);
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("python3", "-c",
                "import time\nend = time.time() + 2\nwhile time.time() < end: pass").limits(limits).build());
        assertEquals(0, ran.result().exitCode(), ran.toString());
        double share = ran.result().cpuTime().toNanos() / (double) ran.result().wallTime().toNanos();
        assertTrue(share < 0.5, "a quarter core limit let the job use " + share + " of a core");
    }

    static boolean processWithArgumentExists(String argument) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline"))).contains(argument);
                } catch (IOException gone) {
                    return false;
                }
            });
        }
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
