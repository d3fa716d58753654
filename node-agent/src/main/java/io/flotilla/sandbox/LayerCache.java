package io.flotilla.sandbox;

import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.layer.LayerTree;
import java.io.BufferedOutputStream;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * A node's cache of unpacked tar layers, keyed by the sha256 digest of the archive's bytes (or of the
 * {@link LayerTree} that describes the layer file by file). A layer is unpacked
 * once, into a temporary directory that is renamed into place only when every entry passed the checks and the
 * digest matched, so the cache never holds half a layer or a layer under the wrong name. The archive itself is kept
 * in the node's {@link BlobStore}, from which other nodes fetch it.
 *
 * <p>On a single machine, where the jobs run on the files' own host, a directory can also stand in the cache as it
 * is ({@link #bindHost}): no archive, no copy, mounted read-only like any layer. It is known by a key drawn at random
 * in the digest's form, which no archive has and nobody can guess, and it has no archive in the blob store, so no
 * other node can fetch it.
 */
public final class LayerCache {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The largest {@link LayerTree} a node reads: some 200,000 files' entries. */
    private static final int MAX_TREE_BYTES = 64 << 20;

    private final Path root;
    private final BlobStore blobs;
    private final LayerLimits limits;

    public LayerCache(Path root, BlobStore blobs, LayerLimits limits) throws IOException {
        this.root = Files.createDirectories(root);
        this.blobs = blobs;
        this.limits = limits;
    }

    /** The archives this cache's layers were unpacked from. */
    public BlobStore blobs() {
        return blobs;
    }

    /** The unpacked layer with this digest, if this node has it. */
    public Optional<Path> find(String digest) {
        if (!Layer.Tar.isDigest(digest)) {
            return Optional.empty();
        }
        Path dir = dirFor(digest);
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * The unpacked layer with this digest, unpacking it first if only its archive, or its {@link LayerTree}, is in the
     * blob store.
     *
     * @return empty when this node has neither the layer nor its archive or tree
     * @throws InvalidLayerException when the stored archive or tree is not a valid layer
     * @throws MissingBlobsException when the tree is here but some of its files are not
     */
    public Optional<Path> unpackStored(String digest) throws IOException {
        Optional<Path> unpacked = find(digest);
        if (unpacked.isPresent()) {
            return unpacked;
        }
        Optional<Path> stored = blobs.find(digest);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        if (isTree(stored.get())) {
            importTree(stored.get(), digest);
        } else {
            importTar(stored.get(), digest);
        }
        return find(digest);
    }

    /**
     * Unpacks a tar or tar.gz file into the cache, keeps the file in the blob store, and returns its digest.
     *
     * @param expectedDigest the digest the caller knows the file by, checked while unpacking; null to accept any
     * @throws InvalidLayerException when the digest differs or an entry would land outside the layer
     */
    public synchronized String importTar(Path file, String expectedDigest) throws IOException {
        if (expectedDigest != null) {
            if (!Layer.Tar.isDigest(expectedDigest)) {
                throw new InvalidLayerException("layer digest must look like sha256:<64 lowercase hex digits>, got '"
                        + expectedDigest + "'");
            }
            if (find(expectedDigest).isPresent()) {
                keepArchive(file, expectedDigest);
                return expectedDigest;
            }
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidLayerException("tar layer " + file + " is not a readable file");
        }
        String digest = unpack(file, expectedDigest, true);
        keepArchive(file, digest);
        return digest;
    }

    /**
     * Assembles the layer a stored {@link LayerTree} describes from the file blobs of this node: into the tar the
     * client would have packed, which is then unpacked with every check a tar layer gets.
     *
     * @throws MissingBlobsException naming the files of the tree this node lacks
     */
    private synchronized void importTree(Path treeFile, String digest) throws IOException {
        if (find(digest).isPresent()) {
            return;
        }
        LayerTree tree;
        try (InputStream in = Files.newInputStream(treeFile)) {
            tree = LayerTree.parse(LayerTree.readAll(in, MAX_TREE_BYTES), limits.maxEntries());
        } catch (IOException e) {
            throw new InvalidLayerException("layer tree " + digest + ": " + e.getMessage());
        }
        List<String> missing = tree.fileDigests().stream().filter(file -> blobs.find(file).isEmpty()).toList();
        if (!missing.isEmpty()) {
            throw new MissingBlobsException(digest, missing);
        }
        Path tar = Files.createTempFile(root, ".tree-", ".tar");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 16)) {
                tree.writeTar(out, file -> Files.newInputStream(blobs.find(file.digest()).orElseThrow(
                        () -> new MissingBlobsException(digest, List.of(file.digest())))));
            } catch (IOException e) {
                throw new InvalidLayerException("layer tree " + digest + ": " + e.getMessage());
            }
            unpack(tar, digest, false);
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    private static boolean isTree(Path blob) throws IOException {
        try (InputStream in = Files.newInputStream(blob)) {
            return LayerTree.isTree(in.readNBytes(LayerTree.MAGIC.length()));
        }
    }

    /**
     * Unpacks a tar file into the cache under {@code key}, or under the file's own digest when {@code key} is null.
     *
     * @param verify whether the file's digest must be {@code key}
     */
    private String unpack(Path file, String key, boolean verify) throws IOException {
        Path temp = Files.createTempDirectory(root, ".unpack-");
        try {
            MessageDigest sha256 = BlobStore.sha256();
            try (SeekableByteChannel archive = Files.newByteChannel(file);
                 InputStream raw = new DigestInputStream(Channels.newInputStream(archive), sha256);
                 BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16)) {
                InputStream tar = isGzip(buffered) ? new GZIPInputStream(buffered, 1 << 16) : buffered;
                TarExtractor.extract(new BoundedLayerStream(tar, () -> position(archive), limits), temp,
                        limits.maxEntries());
                buffered.transferTo(java.io.OutputStream.nullOutputStream()); // the digest covers the whole file
            } catch (EOFException e) {
                throw new InvalidLayerException("tar layer " + file + " ends early: " + e.getMessage());
            } catch (java.util.zip.ZipException e) {
                throw new InvalidLayerException("tar layer " + file + " is not valid gzip: " + e.getMessage());
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x")); // the job user reads it
            if (verify && key != null && !key.equals(digest)) {
                throw new InvalidLayerException("digest mismatch for " + file + ": expected " + key
                        + ", the file has " + digest);
            }
            String name = key != null ? key : digest;
            try {
                Files.move(temp, dirFor(name), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException alreadyThere) {
                deleteTree(temp);
            }
            return name;
        } catch (IOException | RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
    }

    /**
     * Makes a directory of this node's host a layer without packing it: the cache's entry is a link to it, so a job
     * mounts the directory itself, read-only, and sees it as it is when the job starts. Only the process that runs
     * this node can call this; nothing on the wire can, so no submitter can make a node mount its files.
     *
     * @return the key the directory is known by in a job's layer list: new at each call
     */
    public String bindHost(Path dir) throws IOException {
        Path target = dir.toRealPath();
        if (!Files.isDirectory(target)) {
            throw new InvalidLayerException("host layer " + dir + " is not a directory");
        }
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        String digest = "sha256:" + HexFormat.of().formatHex(key);
        Files.createSymbolicLink(dirFor(digest), target);
        return digest;
    }

    /** How far into the archive file reading has got. */
    private static long position(SeekableByteChannel archive) {
        try {
            return archive.position();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void keepArchive(Path file, String digest) throws IOException {
        if (blobs.find(digest).isEmpty()) {
            blobs.putFile(file, digest);
        }
    }

    private Path dirFor(String digest) {
        return root.resolve(digest.replace(':', '-'));
    }

    private static boolean isGzip(BufferedInputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        return first == 0x1f && second == 0x8b;
    }

    /** Removes a directory and everything below it, even what is read-only; a missing one is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                d.toFile().setWritable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
