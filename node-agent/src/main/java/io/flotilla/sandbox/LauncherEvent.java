package io.flotilla.sandbox;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What the native launcher reports, decoded from its frames (see the protocol in {@code launcher.c}). */
sealed interface LauncherEvent {
    int READY = 0;
    int STARTED = 1;
    int FINISHED = 2;

    /** Sent once, when the launcher has set up its namespace and can take jobs. */
    record Ready() implements LauncherEvent {
    }

    /** Sent when a job's pid 1 has been released into its container. */
    record Started(long jobId, long hostPid) implements LauncherEvent {
    }

    /** Sent when a job's pid 1 is reaped and both of its output streams are drained. */
    record Finished(long jobId, int outcome, int code, long wallMicros, long userMicros, long systemMicros,
                    long maxRssKib, long stdoutBytes, long stdoutKept, long stderrBytes, long stderrKept,
                    String message) implements LauncherEvent {
        static final int EXITED = 1;
        static final int SIGNALED = 2;
        static final int TIMED_OUT = 3;
        static final int CANCELLED = 4;
        static final int LAUNCH_ERROR = 5;
    }

    /** Reads one frame; throws {@link java.io.EOFException} when the launcher has gone. */
    static LauncherEvent read(DataInputStream in) throws IOException {
        int length = in.readInt();
        int type = in.readUnsignedByte();
        switch (type) {
            case READY:
                return new Ready();
            case STARTED:
                return new Started(in.readLong(), in.readInt() & 0xffffffffL);
            case FINISHED: {
                long id = in.readLong();
                int outcome = in.readUnsignedByte();
                int code = in.readInt();
                long[] numbers = new long[8];
                for (int i = 0; i < numbers.length; i++) {
                    numbers[i] = in.readLong();
                }
                byte[] message = new byte[in.readInt()];
                in.readFully(message);
                return new Finished(id, outcome, code, numbers[0], numbers[1], numbers[2], numbers[3], numbers[4],
                        numbers[5], numbers[6], numbers[7], new String(message, StandardCharsets.UTF_8));
            }
            default:
                in.skipNBytes(length - 1L);
                throw new IOException("unknown launcher event type " + type);
        }
    }
}
