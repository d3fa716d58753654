package io.flotilla.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The end of a job's output, small enough to travel with its result; blocking file I/O. */
final class OutputTail {
    private OutputTail() {
    }

    /** The last {@code bytes} of one file, then of the other. */
    static String read(Path stdout, Path stderr, int bytes) {
        try {
            return tail(stdout, bytes) + tail(stderr, bytes);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tail(Path file, int bytes) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - bytes);
            byte[] data = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(data);
            return new String(data, StandardCharsets.UTF_8);
        }
    }
}
