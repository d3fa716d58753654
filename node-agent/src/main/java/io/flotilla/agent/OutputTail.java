package io.flotilla.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The end of a job's output, small enough to travel with its result; blocking file I/O. */
final class OutputTail {
    private OutputTail() {
    }

    /** The last {@code stdoutBytes} of stdout, then the last {@code stderrBytes} of stderr. */
    static String read(AttemptOutput output, int stdoutBytes, int stderrBytes) {
        try {
            return tail(output, AttemptOutput.Stream.STDOUT, stdoutBytes)
                    + tail(output, AttemptOutput.Stream.STDERR, stderrBytes);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tail(AttemptOutput output, AttemptOutput.Stream stream, int bytes) throws IOException {
        long size = output.size(stream);
        return new String(output.read(stream, Math.max(0, size - bytes), bytes), StandardCharsets.UTF_8);
    }
}
