package io.flotilla.sandbox;

import io.flotilla.protocol.job.Layer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A node's content-addressed store of blobs (layer archives as they were uploaded), named by the sha256 of their
 * bytes. The node serves them to its peers and unpacks layers from them. A blob is written to a temporary file while
 * its digest is computed, and renamed into place only when the digest is the expected one, so a reader never sees a
 * partial blob or a blob under the wrong name.
 */
public final class BlobStore {
    private final Path root;

    public BlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    /** Every blob's file, for a sweep to weigh; uploads in progress are not blobs yet. */
    public List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.filter(file -> file.getFileName().toString().startsWith("sha256-")).toList();
        }
    }

    /** The blob's file, if this node has it. */
    public Optional<Path> find(String digest) {
        if (!Layer.Tar.isDigest(digest)) {
            return Optional.empty();
        }
        Path file = fileFor(digest);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /**
     * Stores a stream as a blob. The stream is read to its end, or to the first error.
     *
     * @param expectedDigest the digest the caller names the bytes by, checked once they are all read; null to accept
     *                       any
     * @return the digest of the bytes, which is then in the store
     * @throws InvalidLayerException when the bytes' digest is not the expected one; nothing is stored then
     */
    public String put(InputStream in, String expectedDigest) throws IOException {
        if (expectedDigest != null && !Layer.Tar.isDigest(expectedDigest)) {
            throw new InvalidLayerException("a blob digest must look like sha256:<64 lowercase hex digits>, got '"
                    + expectedDigest + "'");
        }
        Path temp = Files.createTempFile(root, ".upload-", "");
        try {
            MessageDigest sha256 = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha256)) {
                in.transferTo(out);
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (expectedDigest != null && !expectedDigest.equals(digest)) {
                throw new InvalidLayerException("digest mismatch: the blob was named " + expectedDigest
                        + ", its bytes have " + digest);
            }
            try {
                Files.move(temp, fileFor(digest), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException alreadyThere) {
                // Same digest, same bytes.
            }
            return digest;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Stores a copy of a file as a blob; see {@link #put(InputStream, String)}. */
    public String putFile(Path file, String expectedDigest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return put(in, expectedDigest);
        }
    }

    private Path fileFor(String digest) {
        return root.resolve(digest.replace(':', '-'));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
