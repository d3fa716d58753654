package io.flotilla.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A job's stdout and stderr, spooled to files on the node rather than held in memory. The files grow while the
 * job runs and can be read at any time; they stay until {@link #delete()} or until the sandbox closes.
 */
public final class JobOutput {
    private final Path stdout;
    private final Path stderr;

    /** The files {@code DIR/ID.stdout} and {@code DIR/ID.stderr}, which the launcher creates. */
    JobOutput(Path dir, long jobId) {
        this.stdout = dir.resolve(jobId + ".stdout");
        this.stderr = dir.resolve(jobId + ".stderr");
    }

    public Path stdout() {
        return stdout;
    }

    public Path stderr() {
        return stderr;
    }

    public InputStream openStdout() throws IOException {
        return Files.newInputStream(stdout());
    }

    public InputStream openStderr() throws IOException {
        return Files.newInputStream(stderr());
    }

    /** The whole of stdout as text. Meant for small outputs: the kept part can be as large as the output limit. */
    public String stdoutText() throws IOException {
        return Files.exists(stdout()) ? Files.readString(stdout(), StandardCharsets.UTF_8) : "";
    }

    /** The whole of stderr as text; see {@link #stdoutText()}. */
    public String stderrText() throws IOException {
        return Files.exists(stderr()) ? Files.readString(stderr(), StandardCharsets.UTF_8) : "";
    }

    public void delete() throws IOException {
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
    }
}
