package io.flotilla.protocol.layer;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/blobs/batch}: many blobs in one request, so that the files of a layer tree go to the
 * cluster in a stream rather than a request each. Each blob is the ASCII line {@code sha256:<hex> SIZE}, then its
 * SIZE bytes; the body ends after the last one.
 */
public final class BlobBatch {
    private static final Pattern HEADER = Pattern.compile("(sha256:[0-9a-f]{64}) (0|[1-9][0-9]{0,18})");
    private static final int MAX_HEADER = 100;

    private BlobBatch() {
    }

    /** One blob's header. */
    public record Header(String digest, long size) {
    }

    /** The header line of a blob. */
    public static byte[] header(String digest, long size) {
        return (digest + " " + size + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The next blob's header, or null at the end of the body.
     *
     * @throws IOException when the header is malformed, or names a blob over {@code maxSize} bytes
     */
    public static Header next(InputStream in, long maxSize) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(MAX_HEADER);
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                if (line.size() == 0) {
                    return null;
                }
                throw new EOFException("the batch ends inside a blob's header");
            }
            if (line.size() == MAX_HEADER) {
                throw new IOException("a blob's header in the batch is longer than " + MAX_HEADER + " bytes");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.US_ASCII);
        Matcher header = HEADER.matcher(text);
        if (!header.matches()) {
            throw new IOException("a blob's header in the batch must be 'sha256:<64 lowercase hex digits> SIZE', "
                    + "got '" + text + "'");
        }
        long size = Long.parseLong(header.group(2));
        if (size > maxSize) {
            throw new IOException("blob " + header.group(1) + " of " + size + " bytes is over the node's limit of "
                    + maxSize + " bytes");
        }
        return new Header(header.group(1), size);
    }

    /**
     * The next {@code size} bytes of {@code in} as a stream of their own, which closes {@code in} when it is closed.
     * When {@code in} ends before, it goes on with zeros if {@code pad} (a client sending a file that shrank keeps the
     * batch well formed, and the digest refuses the blob), else it fails (a body that ends inside a blob).
     */
    public static InputStream exactly(InputStream in, long size, boolean pad) {
        return new InputStream() {
            private long left = size;
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (left == 0) {
                    return -1;
                }
                int want = (int) Math.min(length, left);
                int n = ended ? -1 : in.read(buffer, offset, want);
                if (n < 0) {
                    if (!pad) {
                        throw new EOFException("the batch ends " + left + " bytes before its blob does");
                    }
                    ended = true;
                    Arrays.fill(buffer, offset, offset + want, (byte) 0);
                    n = want;
                }
                left -= n;
                return n;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
