package io.flotilla.agent;

import io.flotilla.protocol.run.JobAttempt;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole stdout and stderr of one attempt on this node, readable from any offset while the attempt still writes
 * them and after they were moved into the {@link OutputStore}. Readers and the move are serialized, so a reader
 * never looks for a file between its two places.
 */
public final class AttemptOutput {
    /** Which of the two output streams. */
    public enum Stream {
        STDOUT, STDERR
    }

    private final JobAttempt attempt;
    private final String key;
    private volatile boolean ended;
    private Path stdout; // guarded by this
    private Path stderr; // guarded by this

    AttemptOutput(JobAttempt attempt, String key, Path stdout, Path stderr, boolean ended) {
        this.attempt = attempt;
        this.key = key;
        this.stdout = stdout;
        this.stderr = stderr;
        this.ended = ended;
    }

    public JobAttempt attempt() {
        return attempt;
    }

    /** The name peers read it by, {@code JOB.ATTEMPT.KEY}; only the node's own KEY makes a name that reads. */
    public String name() {
        return attempt.job() + "." + attempt.attempt() + "." + key;
    }

    /** Whether the attempt has ended, so that its output will not grow any more. */
    public boolean isEnded() {
        return ended;
    }

    /**
     * Up to {@code max} bytes of a stream from {@code offset}: fewer, or none, when the stream is not that long
     * (yet). A stream the job never wrote to reads as empty.
     */
    public synchronized byte[] read(Stream stream, long offset, int max) throws IOException {
        Path file = stream == Stream.STDOUT ? stdout : stderr;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long available = Math.max(0, in.length() - offset);
            byte[] data = new byte[(int) Math.min(max, available)];
            in.seek(offset);
            in.readFully(data);
            return data;
        } catch (FileNotFoundException absent) {
            return new byte[0];
        }
    }

    /** How many bytes of the two streams there are now. */
    public long size() throws IOException {
        return size(Stream.STDOUT) + size(Stream.STDERR);
    }

    /** How many bytes of one stream there are now. */
    public synchronized long size(Stream stream) throws IOException {
        Path file = stream == Stream.STDOUT ? stdout : stderr;
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** Moves the files (stderr first: a complete stdout file marks a complete copy), then marks the output ended. */
    synchronized void moveAndEnd(Path newStdout, Path newStderr) throws IOException {
        moveIfPresent(stderr, newStderr);
        moveIfPresent(stdout, newStdout);
        stdout = newStdout;
        stderr = newStderr;
        ended = true;
    }

    /** Removes the files of an output that stayed empty, then marks it ended. */
    synchronized void deleteAndEnd() throws IOException {
        Files.deleteIfExists(stdout);
        Files.deleteIfExists(stderr);
        ended = true;
    }

    private static void moveIfPresent(Path from, Path to) throws IOException {
        if (Files.exists(from)) {
            Files.move(from, to);
        } else {
            Files.createFile(to);
        }
    }
}
