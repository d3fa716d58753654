package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real sandbox in a fresh data directory, and short ways to run a job in it, for the integration tests. Register
 * it with {@code @RegisterExtension static final TestSandbox box = TestSandbox.perClass();} to share one sandbox
 * among a class's tests, or {@link #open()} one for a single test.
 */
final class TestSandbox implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private final long tmpfsBytes;
    Sandbox sandbox;
    Path dataDir;

    /** What a finished job left: its result and its output. */
    record Ran(JobResult result, String stdout, String stderr) {
        @Override
        public String toString() {
            return result + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private TestSandbox(long tmpfsBytes) {
        this.tmpfsBytes = tmpfsBytes;
    }

    /** Opened before the first test of the class that registers it, closed after its last. */
    static TestSandbox perClass() {
        return new TestSandbox(SandboxConfig.DEFAULT_TMPFS_BYTES);
    }

    /** The same, with each writable tmpfs of a job capped at {@code tmpfsBytes}. */
    static TestSandbox perClass(long tmpfsBytes) {
        return new TestSandbox(tmpfsBytes);
    }

    static TestSandbox open() throws IOException {
        TestSandbox box = perClass();
        box.openNow();
        return box;
    }

    private void openNow() throws IOException {
        dataDir = Files.createTempDirectory("flotilla-test-");
        sandbox = Sandbox.open(new SandboxConfig(dataDir, SandboxConfig.NOBODY, SandboxConfig.NOBODY, tmpfsBytes,
                LayerLimits.DEFAULT));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        openNow();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
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
