package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A real sandbox in a fresh data directory, and short ways to run a job in it, for the integration tests. */
final class TestSandbox implements AutoCloseable {
    final Sandbox sandbox;
    final Path dataDir;

    /** What a finished job left: its result and its output. */
    record Ran(JobResult result, String stdout, String stderr) {
        @Override
        public String toString() {
            return result + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private TestSandbox(Sandbox sandbox, Path dataDir) {
        this.sandbox = sandbox;
        this.dataDir = dataDir;
    }

    static TestSandbox open() throws IOException {
        Path dataDir = Files.createTempDirectory("flotilla-test-");
        return new TestSandbox(Sandbox.open(new SandboxConfig(dataDir, SandboxConfig.NOBODY, SandboxConfig.NOBODY)),
                dataDir);
    }

    Ran run(ContainerSpec spec) throws InterruptedException, IOException {
        SandboxJob job = sandbox.start(spec);
        JobResult result = job.result().join();
        Ran ran = new Ran(result, job.output().stdoutText(), job.output().stderrText());
        job.output().delete();
        return ran;
    }

    Ran sh(String script) throws InterruptedException, IOException {
        return run(ContainerSpec.builder("sh", "-c", script).build());
    }

    /** A host directory the job user can read, as a layer source must be. */
    static Path readableTempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        sandbox.close();
        LayerCache.deleteTree(dataDir);
    }
}
