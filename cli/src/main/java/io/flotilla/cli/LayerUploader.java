package io.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns the layers of a command line into blobs the cluster has: a directory is packed deterministically, a tar
 * file is taken as it is; either is uploaded only if the cluster lacks its digest, so a second run transfers
 * nothing.
 */
final class LayerUploader {
    private final FlotillaClient client;
    private final java.io.PrintWriter err;

    /** @param err where to say what is uploaded: a layer the cluster already has is not */
    LayerUploader(FlotillaClient client, java.io.PrintWriter err) {
        this.client = client;
        this.err = err;
    }

    /** The digest of the directory's deterministic tar, which the cluster then has. */
    String directory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--layer " + dir + ": not a directory");
        }
        try {
            Path tar = Files.createTempFile("flotilla-layer-", ".tar");
            try {
                MessageDigest sha256 = sha256();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tar), sha256)) {
                    DeterministicTar.write(dir, out);
                }
                return ensure("sha256:" + HexFormat.of().formatHex(sha256.digest()), tar);
            } finally {
                Files.deleteIfExists(tar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The digest of a tar or tar.gz file, which the cluster then has. */
    String archive(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException("--tar " + file + ": not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha256 = sha256();
            in.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha256));
            return ensure("sha256:" + HexFormat.of().formatHex(sha256.digest()), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private String ensure(String digest, Path file) {
        if (!client.hasBlob(digest)) {
            try {
                err.println("flotilla: uploading layer " + digest + " (" + Files.size(file) + " bytes)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            err.flush();
            client.putBlob(digest, file);
        }
        return digest;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
