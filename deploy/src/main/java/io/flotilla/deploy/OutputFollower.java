package io.flotilla.deploy;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.sandbox.SandboxJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Copies a job's spooled stdout and stderr to ours as they grow, so a long job shows its progress live. */
final class OutputFollower {
    private static final long POLL_MILLIS = 20;

    private OutputFollower() {
    }

    static JobResult follow(SandboxJob job, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        try (Tail stdout = new Tail(job.output().stdout(), out); Tail stderr = new Tail(job.output().stderr(), err)) {
            while (true) {
                try {
                    JobResult result = job.result().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    stdout.drain();
                    stderr.drain();
                    return result;
                } catch (TimeoutException stillRunning) {
                    stdout.drain();
                    stderr.drain();
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** The unread end of one file that another process appends to. */
    private static final class Tail implements AutoCloseable {
        private final Path file;
        private final OutputStream target;
        private final byte[] buffer = new byte[1 << 16];
        private InputStream in;

        Tail(Path file, OutputStream target) {
            this.file = file;
            this.target = target;
        }

        void drain() throws IOException {
            if (in == null) {
                if (!Files.exists(file)) {
                    return;
                }
                in = Files.newInputStream(file);
            }
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                target.write(buffer, 0, n);
            }
            target.flush();
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }
}
