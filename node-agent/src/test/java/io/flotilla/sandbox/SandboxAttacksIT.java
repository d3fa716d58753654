package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.Layer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile job against the node that runs it: each test makes the attack from inside a real container, then shows
 * that the attacker got nothing and the host is unchanged. See docs/security.md for the guarantees they check.
 */
class SandboxAttacksIT {
    @RegisterExtension
    static final TestSandbox box = TestSandbox.perClass();

    /** A root-only host file whose content no job may ever see. */
    private static Path secret;
    private static String token;

    @BeforeAll
    static void plantSecret() throws Exception {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        token = "secret-" + HexFormat.of().formatHex(random);
        secret = Files.createTempFile("flotilla-secret-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(secret, token + "\n");
    }

    @AfterAll
    static void removeSecret() throws Exception {
        Files.deleteIfExists(secret);
    }

    @Test
    void aJobInASharedContainerCannotSwapTheFilesTheNodeReadsForLinksOrFifos() throws Exception {
        // Where a shared container's jobs used to find the directory the node reads their output and status from,
        // and where they could still reach it: through the runner's descriptor.
        String attack = String.join("; ",
                "ls -d /.flotilla/shard",
                "for f in /.flotilla/shard/1.out /proc/1/fd/3/1.out /proc/1/cwd/1.out; do ln -sf " + secret + " $f; done",
                "mkfifo /proc/1/fd/3/1.status",
                "ls /proc/1/fd",
                "ls /proc/1/fd/3/",
                "cat /proc/1/environ",
                "echo attacked");
        SharedContainer shared = box.sandbox.startShared(List.of(
                ContainerSpec.builder("sh", "-c", attack).build(),
                ContainerSpec.builder("sh", "-c", "echo victim").build()));
        List<JobResult> results = shared.results().get(60, TimeUnit.SECONDS);
        String attackerOut = Files.readString(shared.stdout(0));
        String attackerErr = Files.readString(shared.stderr(0));
        String victimOut = Files.readString(shared.stdout(1));
        shared.delete();

        assertEquals("attacked\n", attackerOut, attackerErr);
        assertTrue(attackerErr.contains("/.flotilla/shard': No such file or directory"), attackerErr);
        assertTrue(attackerErr.contains("cannot open directory '/proc/1/fd': Permission denied"), attackerErr);
        assertTrue(attackerErr.contains("/proc/1/environ: Permission denied"), attackerErr);
        assertEquals(Outcome.EXITED, results.get(1).outcome(), results.get(1).toString());
        assertEquals(0, results.get(1).exitCode(), results.get(1).toString());
        assertEquals("victim\n", victimOut, "the next job's output is its own, not the host file");
        assertFalse(attackerOut.contains(token) || attackerErr.contains(token) || victimOut.contains(token));
    }

    @Test
    void aJobCannotReachItsInitsStatusPipeOrMemoryToForgeItsResult() throws Exception {
        // A job that could write init's status pipe could report "exited 0" for itself after failing; one that could
        // ptrace init could do the same, and more. Init runs as the job's user, so only non-dumpability stops both.
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("python3", "-c", """
                import ctypes, os, struct, sys
                print("own fds", sorted(os.listdir("/proc/self/fd")))
                for attempt in ("/proc/1/fd/4", "/proc/1/mem"):
                    try:
                        with open(attempt, "wb") as f:
                            f.write(struct.pack("ii", 0, 0))
                        print("opened", attempt)
                    except OSError as e:
                        print("refused", attempt, e.errno)
                libc = ctypes.CDLL(None, use_errno=True)
                print("ptrace", libc.ptrace(16, 1, 0, 0), ctypes.get_errno())  # PTRACE_ATTACH
                print("init", open("/proc/1/cmdline", "rb").read().rstrip(b"\\0").decode())
                sys.stdout.flush()
                os._exit(5)
                """).build());
        assertEquals(Outcome.EXITED, ran.result().outcome(), ran.toString());
        assertEquals(5, ran.result().exitCode(), "the job's own status, not a forged one: " + ran);
        List<String> lines = ran.stdout().lines().toList();
        assertEquals("own fds ['0', '1', '2', '3']", lines.get(0), "no status pipe is inherited (3 is listdir's)");
        assertTrue(lines.get(1).startsWith("refused /proc/1/fd/4 13"), ran.toString());
        assertTrue(lines.get(2).startsWith("refused /proc/1/mem 13"), ran.toString());
        assertTrue(lines.get(3).startsWith("ptrace -1 "), ran.toString());
        assertEquals("init flotilla-launcher", lines.get(4), "pid 1 shows no path of the host");
    }

    @Test
    void aLayerSymlinkCannotSteerAMountPointOntoTheHost() throws Exception {
        String name = "flotilla-planted-" + System.nanoTime();
        Path hostDir = Path.of("/tmp", name);
        Path hostFile = Path.of("/var/tmp", name);
        // Layer one lays a symlink to "/" over the root; the mounts after it ask for destinations below the link,
        // which, followed on the host while the root is assembled as root, would create and mount host paths.
        String escape = layer(new TarWriter().symlink("escape", "/"));
        String planted = layer(new TarWriter().file("planted.txt", "inside the container\n"));
        Path file = TestSandbox.readableTempDir("flotilla-file-layer-").resolve("f.txt");
        Files.writeString(file, "a file layer\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try {
            TestSandbox.Ran ran = box.run(ContainerSpec.builder("sh", "-c", "cat /tmp/" + name + "/planted.txt /var/tmp/"
                            + name + "; readlink /escape")
                    .layer(new Layer.Tar(escape, "/"))
                    .layer(new Layer.Tar(planted, "/escape/tmp/" + name))
                    .layer(new Layer.HostPath(file.toString(), "/escape/var/tmp/" + name)).build());

            assertEquals("inside the container\na file layer\n/\n", ran.stdout(), "the link resolves inside: " + ran);
            assertFalse(Files.exists(hostDir), "a directory was created on the host: " + hostDir);
            assertFalse(Files.exists(hostFile), "a file was created on the host: " + hostFile);
        } finally {
            Files.deleteIfExists(hostDir);
            Files.deleteIfExists(hostFile);
            LayerCache.deleteTree(file.getParent());
        }
    }

    @Test
    void aLayerSymlinkIntoTheBaseCannotMakeTheLauncherWriteThere() throws Exception {
        // The same trick aimed at a read-only part of the root (the host's /usr): refused, nothing written.
        String escape = layer(new TarWriter().symlink("usrlink", "/usr/share"));
        String planted = layer(new TarWriter().file("x", "x\n"));
        String name = "flotilla-planted-" + System.nanoTime();
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("true")
                .layer(new Layer.Tar(escape, "/"))
                .layer(new Layer.Tar(planted, "/usrlink/" + name)).build());

        assertEquals(Outcome.LAUNCH_ERROR, ran.result().outcome(), ran.toString());
        assertTrue(ran.result().message().contains("cannot create mount point /usrlink/" + name), ran.toString());
        assertTrue(ran.result().message().contains("Read-only file system"), ran.toString());
        assertFalse(Files.exists(Path.of("/usr/share", name)));
    }

    @Test
    void procHidesTheHostKernelAndTheJobCannotWriteToIt() throws Exception {
        // Kernels differ in which of these they have; each one the host has must read as empty inside.
        List<String> masked = Stream.of("kcore", "kallsyms", "keys", "timer_list", "sched_debug")
                .filter(name -> Files.exists(Path.of("/proc", name))).toList();
        assertTrue(Files.readAllBytes(Path.of("/proc/kallsyms")).length > 0, "the host shows its kernel symbols");
        StringBuilder script = new StringBuilder();
        masked.forEach(name -> script.append("echo ").append(name).append(" $(cat /proc/").append(name)
                .append(" | wc -c); "));
        script.append("echo 1 > /proc/sys/kernel/ns_last_pid; echo sys=$?; ");
        if (Files.exists(Path.of("/proc/sysrq-trigger"))) {
            script.append("echo c > /proc/sysrq-trigger; ");
        }
        script.append("ls /proc/acpi 2>/dev/null | wc -l; ls /sys /dev/core; echo ls=$?");
        TestSandbox.Ran ran = box.sh(script.toString());

        List<String> expected = new java.util.ArrayList<>(masked.stream().map(name -> name + " 0").toList());
        expected.addAll(List.of("sys=2", "0", "ls=2"));
        assertEquals(expected, ran.stdout().lines().toList(), ran.toString());
        assertTrue(ran.stderr().contains("/proc/sys/kernel/ns_last_pid: Read-only file system"), ran.toString());
        if (Files.exists(Path.of("/proc/sysrq-trigger"))) {
            assertTrue(ran.stderr().contains("/proc/sysrq-trigger: Read-only file system"), ran.toString());
        }
        assertTrue(ran.stderr().contains("cannot access '/sys': No such file or directory"), ran.toString());
        assertTrue(ran.stderr().contains("cannot access '/dev/core': No such file or directory"), ran.toString());
    }

    @Test
    void everyCallTheFilterRefusesFailsAndWhatJobsNeedStillWorks() throws Exception {
        Path probes = TestSandbox.readableTempDir("flotilla-seccomp-");
        try {
            for (String probe : List.of("probe-denied", "probe-allowed")) {
                Path source = probes.resolve(probe + ".c");
                try (var in = SandboxAttacksIT.class.getResourceAsStream("/seccomp/" + probe + ".c")) {
                    Files.copy(in, source);
                }
                Process gcc = new ProcessBuilder("gcc", "-O2", "-pthread", "-o", probes.resolve(probe).toString(),
                        source.toString()).redirectErrorStream(true).start();
                String output = new String(gcc.getInputStream().readAllBytes());
                assertEquals(0, gcc.waitFor(), output);
            }
            TestSandbox.Ran denied = box.run(ContainerSpec.builder("/probes/probe-denied")
                    .layer(new Layer.HostPath(probes.toString(), "/probes")).build());
            List<String> lines = denied.stdout().lines().toList();
            assertTrue(lines.size() >= 25, denied.toString());
            for (String line : lines) {
                String call = line.substring(0, line.lastIndexOf(' '));
                String expected = call.equals("clone3") || call.equals("syscall(1000)") ? "ENOSYS" : "EPERM";
                assertEquals(call + " " + expected, line, denied.toString());
            }
            TestSandbox.Ran allowed = box.run(ContainerSpec.builder("/probes/probe-allowed")
                    .layer(new Layer.HostPath(probes.toString(), "/probes")).build());
            assertEquals(0, allowed.result().exitCode(), allowed.toString());
            assertTrue(allowed.stdout().lines().allMatch(line -> line.endsWith(" OK")), allowed.toString());
        } finally {
            LayerCache.deleteTree(probes);
        }
    }

    private static String layer(TarWriter tar) throws Exception {
        Path file = Files.createTempFile("flotilla-attack-", ".tar");
        try {
            return box.sandbox.layers().importTar(tar.writeTo(file), null);
        } finally {
            Files.delete(file);
        }
    }
}
