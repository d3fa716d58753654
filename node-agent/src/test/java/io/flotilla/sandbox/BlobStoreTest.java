package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs are stored under the digest of their bytes, and only under it. */
class BlobStoreTest {
    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);
    private static final String HELLO_DIGEST =
            "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @TempDir
    Path temp;

    @Test
    void storesBytesUnderTheirDigest() throws IOException {
        BlobStore blobs = new BlobStore(temp);
        assertEquals(HELLO_DIGEST, blobs.put(new ByteArrayInputStream(HELLO), null));
        assertArrayEquals(HELLO, Files.readAllBytes(blobs.find(HELLO_DIGEST).orElseThrow()));
        assertEquals(HELLO_DIGEST, blobs.put(new ByteArrayInputStream(HELLO), HELLO_DIGEST), "a second put is harmless");
        assertEquals(1, entries());
    }

    @Test
    void refusesBytesThatDoNotMatchTheirNameAndKeepsNothing() throws IOException {
        BlobStore blobs = new BlobStore(temp);
        String wrong = "sha256:" + "0".repeat(64);
        InvalidLayerException e = assertThrows(InvalidLayerException.class,
                () -> blobs.put(new ByteArrayInputStream(HELLO), wrong));
        assertEquals("digest mismatch: the blob was named " + wrong + ", its bytes have " + HELLO_DIGEST,
                e.getMessage());
        assertTrue(blobs.find(wrong).isEmpty());
        assertEquals(0, entries());
    }

    @Test
    void keepsNothingOfAStreamThatBreaksOff() throws IOException {
        BlobStore blobs = new BlobStore(temp);
        InputStream broken = new InputStream() {
            private int left = 1000;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (left == 0) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(left, length);
                left -= n;
                return n;
            }
        };
        assertEquals("connection reset", assertThrows(IOException.class, () -> blobs.put(broken, null)).getMessage());
        assertEquals(0, entries());
    }

    @Test
    void findsNothingForAMalformedDigest() throws IOException {
        BlobStore blobs = new BlobStore(temp);
        assertTrue(blobs.find("../../etc/passwd").isEmpty());
        assertTrue(assertThrows(InvalidLayerException.class, () -> blobs.put(new ByteArrayInputStream(HELLO),
                "sha256:../x")).getMessage().contains("sha256:<64 lowercase hex digits>"));
    }

    private long entries() throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.count();
        }
    }
}
