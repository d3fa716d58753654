package io.flotilla.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A fluent writer of the launcher's START frame: one method per field, in the tag order of {@code launcher.c}.
 * Keeping the encoding here, and only here, keeps the two sides of the protocol in one place each.
 */
final class StartRequest {
    private static final int OP_START = 1;
    private static final int OP_KILL = 2;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
    private final DataOutputStream out = new DataOutputStream(bytes);

    StartRequest(long jobId) {
        header(out, OP_START, jobId);
    }

    /** The KILL frame: SIGKILL to the job's pid 1, which ends its whole pid namespace. */
    static byte[] kill(long jobId) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16);
        header(new DataOutputStream(bytes), OP_KILL, jobId);
        return framed(bytes.toByteArray());
    }

    StartRequest arg(String value) {
        return text(1, value);
    }

    StartRequest env(String name, String value) {
        return text(2, name + "=" + value);
    }

    StartRequest workdir(String value) {
        return text(3, value);
    }

    StartRequest hostname(String value) {
        return text(4, value);
    }

    StartRequest stdin(String hostPath) {
        return text(5, hostPath);
    }

    StartRequest stdout(Path file) {
        return text(6, file.toString());
    }

    StartRequest stderr(Path file) {
        return text(7, file.toString());
    }

    StartRequest outputLimit(long bytesPerStream) {
        return number(8, bytesPerStream);
    }

    StartRequest timeoutMillis(long value) {
        return number(9, value);
    }

    StartRequest graceMillis(long value) {
        return number(10, value);
    }

    StartRequest network(int mode) {
        return field(11, new byte[] {(byte) mode});
    }

    StartRequest mount(MountPlan.Step step) {
        byte[] src = step.src().getBytes(StandardCharsets.UTF_8);
        byte[] dest = step.dest().getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[2 + src.length + dest.length];
        value[0] = (byte) step.kind().ordinal();
        System.arraycopy(src, 0, value, 1, src.length);
        System.arraycopy(dest, 0, value, 2 + src.length, dest.length);
        return field(12, value);
    }

    StartRequest writable(boolean value) {
        return field(13, new byte[] {(byte) (value ? 1 : 0)});
    }

    StartRequest cgroupProcs(Path file) {
        return text(14, file.toString());
    }

    /** A host directory the launcher opens and gives the program as descriptor 3, never mounting it. */
    StartRequest sharedDir(Path dir) {
        return text(15, dir.toString());
    }

    StartRequest tmpfsBytes(long value) {
        return number(16, value);
    }

    /** The container's own {@code /etc/hosts}; with it, the launcher also gives it a {@code machine-id} of its own. */
    StartRequest hosts(String text) {
        return text(17, text);
    }

    byte[] toFrame() {
        return framed(bytes.toByteArray());
    }

    private StartRequest text(int tag, String value) {
        return field(tag, value.getBytes(StandardCharsets.UTF_8));
    }

    private StartRequest number(int tag, long value) {
        byte[] encoded = new byte[8];
        for (int i = 0; i < 8; i++) {
            encoded[i] = (byte) (value >>> (56 - 8 * i));
        }
        return field(tag, encoded);
    }

    private StartRequest field(int tag, byte[] value) {
        write(() -> {
            out.writeByte(tag);
            out.writeInt(value.length);
            out.write(value);
        });
        return this;
    }

    private static void header(DataOutputStream out, int op, long jobId) {
        write(() -> {
            out.writeByte(op);
            out.writeLong(jobId);
        });
    }

    private static byte[] framed(byte[] payload) {
        byte[] frame = new byte[4 + payload.length];
        frame[0] = (byte) (payload.length >>> 24);
        frame[1] = (byte) (payload.length >>> 16);
        frame[2] = (byte) (payload.length >>> 8);
        frame[3] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 4, payload.length);
        return frame;
    }

    private interface Write {
        void run() throws IOException;
    }

    /** Writes to a byte array cannot fail; this keeps that fact out of every method's signature. */
    private static void write(Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
