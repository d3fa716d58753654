package io.flotilla.sandbox;

import static io.flotilla.protocol.job.Quantities.describeBytes;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * A layer archive's tar stream as it is unpacked, refused the moment it passes the {@link LayerLimits}: before the
 * bytes are written, not after the disk is full.
 */
final class BoundedLayerStream extends FilterInputStream {
    private final LongSupplier compressedRead;
    private final LayerLimits limits;
    private long read;

    /** @param compressedRead how many bytes of the archive file have been read so far */
    BoundedLayerStream(InputStream tar, LongSupplier compressedRead, LayerLimits limits) {
        super(tar);
        this.compressedRead = compressedRead;
        this.limits = limits;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        count(b < 0 ? 0 : 1);
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        count(Math.max(n, 0));
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    private void count(long n) throws InvalidLayerException {
        read += n;
        if (read > limits.maxBytes()) {
            throw new InvalidLayerException("the layer unpacks to more than " + describeBytes(limits.maxBytes())
                    + ", this node's limit (flotilla.sandbox.layer-max-size)");
        }
        long compressed = Math.max(1, compressedRead.getAsLong());
        if (read > LayerLimits.EXPANSION_FLOOR && read / compressed > limits.maxExpansion()) {
            throw new InvalidLayerException("the layer unpacks to more than " + limits.maxExpansion()
                    + " times its compressed size (" + describeBytes(compressed) + " to " + describeBytes(read)
                    + " so far), this node's limit (flotilla.sandbox.layer-max-expansion)");
        }
    }
}
