package io.flotilla.cli;

import io.flotilla.protocol.layer.LayerTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the layers of a command line into blobs the cluster has. A directory becomes a {@link LayerTree}: each file
 * is known by its digest, and only the files the cluster lacks are uploaded, with the small tree that names them,
 * so a second run of a large tree with one file changed sends that one file. A tar file is taken as it is, and
 * uploaded only if the cluster lacks its digest. On the single-node cluster this process started, a directory is
 * not uploaded at all but bound read-only where the jobs run: a large tree such as {@code ~/.m2/repository} costs a
 * run nothing.
 */
final class LayerUploader {
    /** About how many bytes of files one upload request carries. */
    private static final long BATCH_BYTES = 256L << 20;
    /** How often a directory whose files change under the upload is read again. */
    private static final int TREE_ATTEMPTS = 3;

    private final ClusterOptions.Connection connection;
    private final java.io.PrintWriter err;

    /** @param err where to say what is uploaded: a layer the cluster already has is not */
    LayerUploader(ClusterOptions.Connection connection, java.io.PrintWriter err) {
        this.connection = connection;
        this.err = err;
    }

    /**
     * The layer of a directory: on this process's own cluster, the directory itself, bound read-only, when the jobs'
     * user may read it (a bind keeps the files' own owners and modes); otherwise the digest of its tree, which the
     * cluster then has with every file of it.
     */
    String directory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--layer " + dir + ": not a directory");
        }
        try {
            if (connection.local() != null) {
                if (bindable(dir)) {
                    return connection.local().bindDirectory(dir);
                }
                err.println("flotilla: " + dir + " is not readable by other users, as the jobs' user is: copying it "
                        + "rather than binding it");
                err.flush();
            }
            return tree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether the jobs' user, which is no one in particular, may read a bind of this directory. */
    private static boolean bindable(Path dir) throws IOException {
        Set<PosixFilePermission> modes = Files.getPosixFilePermissions(dir);
        return modes.contains(PosixFilePermission.OTHERS_READ) && modes.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    /**
     * Uploads the files of the directory's tree that the cluster lacks, then the tree; returns its digest. A file
     * that changes between its reading and its upload is refused by its digest; the directory is then read again,
     * a few times, before the command gives up on it.
     */
    private String tree(Path dir) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return uploadTree(dir);
            } catch (ApiException e) {
                if (e.status() != 422 || attempt == TREE_ATTEMPTS) {
                    throw e.status() == 422 ? new UsageException("--layer " + dir + ": its files kept changing "
                            + "while they were uploaded (" + e.getMessage() + ")") : e;
                }
                err.println("flotilla: a file of " + dir + " changed while it was uploaded: reading the directory "
                        + "again");
                err.flush();
            }
        }
    }

    private String uploadTree(Path dir) throws IOException {
        LayerTree tree = LayerTree.of(dir);
        byte[] bytes = tree.toBytes();
        String digest = "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
        FlotillaClient client = connection.client();
        Map<String, LayerTree.Entry> files = new HashMap<>();
        tree.entries().stream().filter(entry -> entry.kind() == LayerTree.Kind.FILE)
                .forEach(entry -> files.putIfAbsent(entry.digest(), entry));
        List<String> lacking = client.missingBlobs(List.copyOf(files.keySet()));
        if (lacking.isEmpty() && client.hasBlob(digest)) {
            return digest;
        }
        long bytesSent = lacking.stream().mapToLong(file -> files.get(file).size()).sum();
        err.println("flotilla: uploading layer " + digest + " (" + bytesSent + " bytes: " + lacking.size() + " of "
                + files.size() + " files, the cluster has the rest)");
        err.flush();
        List<FlotillaClient.FileBlob> batch = new ArrayList<>();
        long batchBytes = 0;
        for (String file : lacking) {
            LayerTree.Entry entry = files.get(file);
            batch.add(new FlotillaClient.FileBlob(file, dir.resolve(entry.path()), entry.size()));
            batchBytes += entry.size();
            if (batchBytes >= BATCH_BYTES) {
                client.putBlobs(batch);
                batch.clear();
                batchBytes = 0;
            }
        }
        if (!batch.isEmpty()) {
            client.putBlobs(batch);
        }
        Path treeFile = Files.createTempFile("flotilla-tree-", ".bin");
        try {
            Files.write(treeFile, bytes);
            client.putBlob(digest, treeFile);
        } finally {
            Files.deleteIfExists(treeFile);
        }
        return digest;
    }

    /**
     * The digest of the directory's deterministic tar, which the cluster then has, even on this process's own
     * cluster: for a directory that is gone or changed before the jobs run.
     */
    String packed(Path dir) throws IOException {
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
        FlotillaClient client = connection.client();
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
