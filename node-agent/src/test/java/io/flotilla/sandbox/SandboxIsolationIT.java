package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Acceptance 1 and 2: what a job can see of the host, and of the network, from inside its namespaces. */
class SandboxIsolationIT {
    @RegisterExtension
    static final TestSandbox box = TestSandbox.perClass();

    @Test
    void psShowsOnlyTheContainersInitAndTheJobsOwnProcesses() throws Exception {
        TestSandbox.Ran ran = box.sh("sleep 30 & ps -e -o pid=,comm=");
        List<String> lines = ran.stdout().lines().map(String::trim).toList();
        assertEquals(List.of("flotilla-init", "sh", "sleep", "ps"),
                lines.stream().map(l -> l.split("\\s+")[1]).toList(), ran.toString());
        assertEquals(List.of("1", "2"), lines.subList(0, 2).stream().map(l -> l.split("\\s+")[0]).toList());
    }

    /** The container's own name resolves from its hosts file (its IPv4 address: nss-myhostname may add ::1). */
    @Test
    void theContainerLooksLikeALogin() throws Exception {
        TestSandbox.Ran ran = box.sh("id -un; echo $HOME $TMPDIR; touch $HOME/x && echo home writable; "
                + "cat /etc/machine-id | wc -c; getent ahosts flotilla | grep -v : | head -1 | cut -f1 -d' '");
        assertEquals(0, ran.result().exitCode(), ran.toString());
        List<String> lines = ran.stdout().lines().toList();
        assertTrue(List.of("nobody", "flotilla").contains(lines.get(0)), ran.toString());
        assertEquals(List.of("/tmp/home /tmp", "home writable", "33", "127.0.1.1"), lines.subList(1, 5));
    }

    /** As two machines would: each container has a machine-id of its own and resolves the hostname it was given. */
    @Test
    void eachContainerHasItsOwnMachineIdAndResolvesItsOwnHostname() throws Exception {
        String script = "cat /etc/machine-id; getent ahosts \"$(hostname)\" | grep -v : | head -1 | cut -f1 -d' '; "
                + "ls -a / | grep -c flotilla; echo x > /etc/hosts";
        TestSandbox.Ran first = box.run(ContainerSpec.builder("sh", "-c", script).hostname("build-7").build());
        TestSandbox.Ran second = box.run(ContainerSpec.builder("sh", "-c", script).hostname("build-8").build());
        List<String> one = first.stdout().lines().toList();
        List<String> two = second.stdout().lines().toList();
        assertTrue(one.get(0).matches("[0-9a-f]{32}"), first.toString());
        assertTrue(two.get(0).matches("[0-9a-f]{32}"), second.toString());
        assertNotEquals(one.get(0), two.get(0), "one machine-id per container");
        assertEquals(List.of("127.0.1.1", "0"), one.subList(1, 3), "its name resolves, no trace at the root");
        assertEquals(List.of("127.0.1.1", "0"), two.subList(1, 3));
        assertTrue(first.stderr().contains("Read-only file system"), "its own files are read-only: " + first);
    }

    @Test
    void aJobThatAbortsIsReportedAsSignalSix() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("python3", "-c", "import os; os.abort()").build());
        assertEquals(Outcome.SIGNALED, ran.result().outcome(), ran.toString());
        assertEquals(6, ran.result().signal(), ran.toString());
    }

    @Test
    void aJobThatSignalsItselfEndsByThatSignal() throws Exception {
        TestSandbox.Ran ran = box.sh("kill -TERM $$; sleep 5; echo still here");
        assertEquals(Outcome.SIGNALED, ran.result().outcome(), ran.toString());
        assertEquals(15, ran.result().signal(), ran.toString());
        assertEquals("", ran.stdout());
    }

    @Test
    void anExitStatusIsTheJobsOwn() throws Exception {
        TestSandbox.Ran ran = box.sh("exit 134");
        assertEquals(Outcome.EXITED, ran.result().outcome(), ran.toString());
        assertEquals(134, ran.result().exitCode(), ran.toString());
    }

    @Test
    void orphansAreReapedWhileTheJobRuns() throws Exception {
        // The grandchild is orphaned at once and exits 0.2 s later; the job itself never waits for it.
        String script = """
                import os, time
                if os.fork() == 0:
                    if os.fork() == 0:
                        time.sleep(0.2)
                    os._exit(0)
                os.wait()
                time.sleep(1.5)
                states = [open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[0]
                          for p in os.listdir("/proc") if p.isdigit()]
                print("zombies", states.count("Z"))
                """;
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("python3", "-c", script).build());
        assertEquals("zombies 0\n", ran.stdout(), ran.toString());
    }

    @Test
    void signalsToTheContainerReachTheJob() throws Exception {
        // The job traps SIGTERM; the launcher's timeout sends it to pid 1 and every process, and init passes it on.
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("sh", "-c",
                        "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 0.05; done")
                .limits(Limits.DEFAULT.withTimeout(Duration.ofMillis(700)))
                .build());
        assertEquals(Outcome.TIMED_OUT, ran.result().outcome(), ran.toString());
        assertEquals("ready\ngot TERM\n", ran.stdout(), ran.toString());
    }

    @Test
    void theHostnameIsTheJobsNotTheHosts() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("hostname").hostname("shard-7").build());
        assertEquals("shard-7\n", ran.stdout());
        assertNotEquals(InetAddress.getLocalHost().getHostName() + "\n", ran.stdout());
    }

    @Test
    void onTheHostSideTheJobRunsAsAnUnprivilegedUid() throws Exception {
        SandboxJob job = box.sandbox.start(ContainerSpec.builder("sleep", "30").build());
        long init = awaitPid(job);
        // Once init has started the job's process, both have their final credentials: init drops them first.
        Path children = Path.of("/proc/" + init + "/task/" + init + "/children");
        for (int i = 0; i < 1000 && Files.readString(children).isBlank(); i++) {
            Thread.sleep(10);
        }
        String jobPid = Files.readString(children).trim();
        assertTrue(jobPid.matches("\\d+"), "init started the job's process: '" + jobPid + "'");
        List<String> uids = new ArrayList<>();
        for (String pid : List.of(Long.toString(init), jobPid)) {
            uids.add(Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow());
        }
        job.cancel();
        assertEquals(Outcome.CANCELLED, job.result().get(10, TimeUnit.SECONDS).outcome());
        for (String line : uids) {
            for (String uid : line.substring(4).trim().split("\\s+")) {
                assertNotEquals("0", uid, line);
                assertEquals(Integer.toString(SandboxConfig.NOBODY), uid, line);
            }
        }
    }

    @Test
    void everyCapabilityIsDroppedAndSeccompAndNoNewPrivsAreOn() throws Exception {
        TestSandbox.Ran ran = box.sh("grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status");
        assertTrue(ran.stdout().contains("CapEff:\t0000000000000000"), ran.toString());
        assertTrue(ran.stdout().contains("CapBnd:\t0000000000000000"), ran.toString());
        assertTrue(ran.stdout().contains("CapPrm:\t0000000000000000"), ran.toString());
        assertTrue(ran.stdout().contains("NoNewPrivs:\t1"), ran.toString());
        assertTrue(ran.stdout().contains("Seccomp:\t2"), ran.toString());
    }

    @Test
    void seccompRefusesNewNamespacesAndMounts() throws Exception {
        TestSandbox.Ran ran = box.sh("unshare -U true; echo unshare=$?; mount -t tmpfs none /tmp 2>&1; echo mount=$?");
        assertTrue(ran.stdout().contains("unshare=1"), ran.toString());
        assertFalse(ran.stdout().contains("mount=0"), ran.toString());
        assertTrue(ran.stderr().contains("Operation not permitted"), ran.toString());
    }

    @Test
    void theEnvironmentIsTheSpecsWithAHomeAndATmpdir() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("/usr/bin/env").env("ANSWER", "42").build());
        assertEquals(List.of("ANSWER=42", "HOME=/tmp/home", "PATH=" + ContainerSpec.DEFAULT_PATH, "TMPDIR=/tmp"),
                ran.stdout().lines().sorted().toList(), ran.toString());
        TestSandbox.Ran own = box.run(ContainerSpec.builder("/usr/bin/env").env("HOME", "/").build());
        assertTrue(own.stdout().lines().anyMatch("HOME=/"::equals), "a spec's own HOME wins: " + own);
    }

    @Test
    void stdinComesFromAFileOrIsEmpty() throws Exception {
        Path input = Files.createTempFile("flotilla-stdin-", ".txt");
        Files.writeString(input, "fed from a file\n");
        try {
            assertEquals("fed from a file\n", box.run(ContainerSpec.builder("cat").stdinFile(input.toString()).build())
                    .stdout());
            assertEquals("", box.run(ContainerSpec.builder("cat").build()).stdout());
        } finally {
            Files.delete(input);
        }
    }

    @Test
    void theWorkingDirectoryIsSet() throws Exception {
        assertEquals("/tmp\n", box.run(ContainerSpec.builder("pwd").workdir("/tmp").build()).stdout());
    }

    @Test
    void withNetworkNoneTheHostLoopbackIsUnreachable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> accept(server));
            TestSandbox.Ran none = box.run(ContainerSpec.builder("bash", "-c",
                    "echo hello > /dev/tcp/127.0.0.1/" + server.getLocalPort()).build());
            assertEquals(Outcome.EXITED, none.result().outcome(), none.toString());
            assertNotEquals(0, none.result().exitCode(), none.toString());

            TestSandbox.Ran host = box.run(ContainerSpec.builder("bash", "-c",
                    "echo hello > /dev/tcp/127.0.0.1/" + server.getLocalPort()).network(NetworkMode.HOST).build());
            assertEquals(0, host.result().exitCode(), "the same connection works with the host's network: " + host);
            accepted.get(10, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void withNetworkLoopbackAServerInsideIsReachableFromInside() throws Exception {
        String script = String.join("\n",
                "import socket",
                "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
                "c = socket.create_connection(s.getsockname()); a, _ = s.accept()",
                "c.sendall(b'ping'); print(a.recv(4).decode())");
        TestSandbox.Ran loopback = box.run(ContainerSpec.builder("python3", "-c", script)
                .network(NetworkMode.LOOPBACK).build());
        assertEquals("ping\n", loopback.stdout(), loopback.toString());

        TestSandbox.Ran none = box.run(ContainerSpec.builder("python3", "-c", script).build());
        assertNotEquals(0, none.result().exitCode(), "with network none even loopback is down: " + none);
    }

    private static Socket accept(ServerSocket server) {
        try {
            return server.accept();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static long awaitPid(SandboxJob job) throws InterruptedException {
        for (int i = 0; i < 1000 && job.hostPid().isEmpty(); i++) {
            Thread.sleep(10);
        }
        return job.hostPid().orElseThrow();
    }
}
