package io.flotilla.sandbox;

import io.flotilla.protocol.job.Layer;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * A node's cache of unpacked tar layers, keyed by the sha256 digest of the archive's bytes. A layer is unpacked
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
     * The unpacked layer with this digest, unpacking it first if only its archive is in the blob store.
     *
     * @return empty when this node has neither the layer nor its archive
     * @throws InvalidLayerException when the stored archive is not a valid layer
     */
    public Optional<Path> unpackStored(String digest) throws IOException {
        Optional<Path> unpacked = find(digest);
        if (unpacked.isPresent()) {
            return unpacked;
        }
        Optional<Path> archive = blobs.find(digest);
        if (archive.isEmpty()) {
            return Optional.empty();
        }
        importTar(archive.get(), digest);
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
            if (expectedDigest != null && !expectedDigest.equals(digest)) {
                throw new InvalidLayerException("digest mismatch for " + file + ": expected " + expectedDigest
                        + ", the file has " + digest);
            }
            try {
                Files.move(temp, dirFor(digest), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException alreadyThere) {
                deleteTree(temp);
            }
            keepArchive(file, digest);
            return digest;
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
