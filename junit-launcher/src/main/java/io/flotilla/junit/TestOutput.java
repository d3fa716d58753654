package io.flotilla.junit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A stream that writes through to the job's own and keeps the end of what was written since the last
 * {@link #take()}, in a ring of {@link JUnitLauncher#OUTPUT_KEPT} bytes, so that a test that prints much costs its JVM
 * no heap: what the running method printed. Methods of one job run one after another, so one ring serves them all; a thread
 * a test left running still writes into the next one's, as it would into Surefire's.
 */
final class TestOutput extends OutputStream {
    private final OutputStream job;
    private final byte[] ring = new byte[JUnitLauncher.OUTPUT_KEPT];
    private long written;

    TestOutput(OutputStream job) {
        this.job = job;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        job.write(b);
        ring[(int) (written++ % ring.length)] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
        job.write(bytes, offset, length);
        for (int i = Math.max(0, length - ring.length); i < length; i++) {
            ring[(int) ((written + i) % ring.length)] = bytes[offset + i];
        }
        written += length;
    }

    @Override
    public synchronized void flush() throws IOException {
        job.flush();
    }

    /** The end of what was written since the last call, and forgets it. */
    synchronized String take() {
        int kept = (int) Math.min(written, ring.length);
        byte[] bytes = new byte[kept];
        int from = (int) ((written - kept) % ring.length);
        int first = Math.min(kept, ring.length - from);
        System.arraycopy(ring, from, bytes, 0, first);
        System.arraycopy(ring, 0, bytes, first, kept - first);
        written = 0;
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
