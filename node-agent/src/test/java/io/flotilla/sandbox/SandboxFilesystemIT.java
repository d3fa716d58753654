package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.Layer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Acceptance 3 and the setuid case of 4: the root filesystem a job gets, and what its writes do. */
class SandboxFilesystemIT {
    @RegisterExtension
    static final TestSandbox box = TestSandbox.perClass();
    private static Path hostDir;

    @BeforeAll
    static void createHostDir() throws IOException {
        hostDir = TestSandbox.readableTempDir("flotilla-layer-");
        Files.writeString(hostDir.resolve("existing.txt"), "original\n");
        Files.setPosixFilePermissions(hostDir.resolve("existing.txt"), PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    @AfterAll
    static void removeHostDir() throws IOException {
        LayerCache.deleteTree(hostDir);
    }

    @Test
    void writingToAReadOnlyHostBindFailsAndTheHostIsUnchanged() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("sh", "-c",
                "echo changed > /data/existing.txt || echo a-failed; touch /data/new || echo b-failed;"
                        + " touch /usr/x || echo c-failed")
                .layer(new Layer.HostPath(hostDir.toString(), "/data")).build());
        assertEquals(List.of("a-failed", "b-failed", "c-failed"), ran.stdout().lines().toList(), ran.toString());
        assertTrue(ran.stderr().contains("Read-only file system"), ran.toString());
        assertEquals("original\n", Files.readString(hostDir.resolve("existing.txt")));
        assertFalse(Files.exists(hostDir.resolve("new")));
    }

    @Test
    void aWritableJobsWritesVanishAfterIt() throws Exception {
        ContainerSpec writer = ContainerSpec.builder("sh", "-c", "echo changed > /data/existing.txt && touch /data/new"
                + " && mkdir /scratch && echo x > /scratch/f && cat /data/existing.txt")
                .layer(new Layer.HostPath(hostDir.toString(), "/data")).writable(true).build();
        TestSandbox.Ran ran = box.run(writer);
        assertEquals(0, ran.result().exitCode(), ran.toString());
        assertEquals("changed\n", ran.stdout());
        assertEquals("original\n", Files.readString(hostDir.resolve("existing.txt")));
        assertFalse(Files.exists(hostDir.resolve("new")));

        TestSandbox.Ran next = box.run(ContainerSpec.builder("sh", "-c", "cat /data/existing.txt; ls /data; ls -d /scratch")
                .layer(new Layer.HostPath(hostDir.toString(), "/data")).writable(true).build());
        assertEquals("original\nexisting.txt\n", next.stdout(), next.toString());
        assertNotEquals(0, next.result().exitCode(), "/scratch of the earlier job is gone: " + next);
    }

    @Test
    void tmpIsAFreshTmpfsForEachJob() throws Exception {
        String marker = "flotilla-tmp-" + System.nanoTime();
        TestSandbox.Ran first = box.sh("echo hi > /tmp/" + marker + " && cat /tmp/" + marker);
        assertEquals("hi\n", first.stdout(), first.toString());
        TestSandbox.Ran second = box.sh("ls /tmp");
        assertEquals("home\n", second.stdout(), "only the HOME that init makes: " + second);
        assertFalse(Files.exists(Path.of("/tmp", marker)));
    }

    @Test
    void procAndDevAreTheJobsOwn() throws Exception {
        TestSandbox.Ran ran = box.sh("cat /proc/$$/cmdline | tr '\\0' ' '; echo; ls /dev | tr '\\n' ' '; echo;"
                + " echo x > /dev/null && echo null-ok; echo y > /dev/shm/f && echo shm-ok; touch /dev/evil; echo dev=$?");
        List<String> lines = ran.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("sh -c cat /proc/$$/cmdline"), ran.toString());
        assertEquals("fd full null random shm stderr stdin stdout tty urandom zero ", lines.get(1));
        assertEquals(List.of("null-ok", "shm-ok", "dev=1"), lines.subList(2, 5), ran.toString());
    }

    @Test
    void aTarLayerIsUnpackedOnceAndMountedReadOnly() throws Exception {
        Path tree = TestSandbox.readableTempDir("flotilla-tar-src-");
        Files.createDirectories(tree.resolve("app/bin"));
        Files.writeString(tree.resolve("app/bin/run.sh"), "#!/bin/sh\necho from the tar layer\n");
        Files.setPosixFilePermissions(tree.resolve("app/bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tarGz = tree.resolveSibling(tree.getFileName() + ".tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", tarGz.toString(), "-C", tree.toString(), "app").start();
        assertEquals(0, tar.waitFor());
        try {
            String digest = box.sandbox.layers().importTar(tarGz, null);
            assertEquals(digest, box.sandbox.layers().importTar(tarGz, digest), "a second import is a cache hit");
            TestSandbox.Ran overRoot = box.run(ContainerSpec.builder("/app/bin/run.sh")
                    .layer(new Layer.Tar(digest, "/")).build());
            assertEquals("from the tar layer\n", overRoot.stdout(), overRoot.toString());
            TestSandbox.Ran atDest = box.run(ContainerSpec.builder("sh", "-c",
                    "/opt/layer/app/bin/run.sh; touch /opt/layer/app/x; echo rc=$?")
                    .layer(new Layer.Tar(digest, "/opt/layer")).build());
            assertEquals("from the tar layer\nrc=1\n", atDest.stdout(), atDest.toString());
        } finally {
            Files.delete(tarGz);
            LayerCache.deleteTree(tree);
        }
    }

    @Test
    void aSetuidBinaryGainsNothing() throws Exception {
        Path dir = TestSandbox.readableTempDir("flotilla-suid-");
        Path id = dir.resolve("id");
        Files.copy(Path.of("/usr/bin/id"), id);
        Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(0, new ProcessBuilder("chmod", "u+s,g+s", id.toString()).start().waitFor());
        try {
            TestSandbox.Ran ran = box.run(ContainerSpec.builder("/suid/id", "-u")
                    .layer(new Layer.HostPath(dir.toString(), "/suid")).build());
            assertEquals(SandboxConfig.NOBODY + "\n", ran.stdout(), ran.toString());
            TestSandbox.Ran effective = box.run(ContainerSpec.builder("/suid/id")
                    .layer(new Layer.HostPath(dir.toString(), "/suid")).build());
            assertFalse(effective.stdout().contains("euid="), "no effective uid change: " + effective);
        } finally {
            LayerCache.deleteTree(dir);
        }
    }

    @Test
    void nothingOfTheHostsRootIsVisibleBeyondTheBase() throws Exception {
        TestSandbox.Ran ran = box.sh("ls / | tr '\\n' ' '; ls /etc/shadow 2>&1; ls /root 2>&1");
        List<String> lines = ran.stdout().lines().toList();
        try (Stream<Path> hostRoot = Files.list(Path.of("/"))) {
            List<String> expected = hostRoot.map(p -> p.getFileName().toString())
                    .filter(List.of("bin", "lib", "lib32", "lib64", "libx32", "sbin", "usr")::contains).toList();
            for (String name : expected) {
                assertTrue(lines.get(0).contains(name), "base entry " + name + " missing: " + ran);
            }
        }
        assertFalse(lines.get(0).contains("root"), ran.toString());
        assertFalse(lines.get(0).contains("home"), ran.toString());
        assertTrue(ran.stderr().contains("No such file") || ran.stdout().contains("No such file"), ran.toString());
    }
}
