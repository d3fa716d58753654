package io.flotilla.agent;

import io.flotilla.protocol.run.JobAttempt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one door to what a node keeps on disk for others to read: layer archives (blobs) and attempts' whole output.
 * The node agent and the HTTP routes both go through it, so that every check (a blob's digest, an output's name,
 * the disk budget) is written once, here, and nothing that reaches the node from a client or a peer touches a path
 * on its own.
 */
public interface NodeStore {
    /** A blob as this node has it: its file and size. */
    record Blob(Path file, long size) {
    }

    /** The blob with this digest, if this node has it; a malformed digest has none. */
    Optional<Blob> blob(String digest);

    /**
     * Stores a stream as the blob with this digest, reading it to its end.
     *
     * @return the stored blob, and whether it was new
     * @throws io.flotilla.sandbox.InvalidLayerException when the bytes are not the digest's; nothing is kept
     * @throws DiskFullException when the node keeps less free disk than it must; nothing is kept
     */
    Stored putBlob(InputStream bytes, String digest) throws IOException;

    /** The outcome of {@link #putBlob}. */
    record Stored(Blob blob, boolean created) {
    }

    /** An attempt's output, live or kept, if this node has it. */
    Optional<AttemptOutput> output(JobAttempt attempt);

    /** The output a name this node gave out stands for ({@link AttemptOutput#name()}); any other name has none. */
    Optional<AttemptOutput> outputByName(String runId, String name);
}
