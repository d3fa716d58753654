package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.layer.LayerTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layer cache unpacks good archives once and refuses hostile ones, leaving nothing of them behind. */
class LayerCacheTest {
    @TempDir
    Path temp;

    private LayerCache cache() throws IOException {
        return new LayerCache(temp.resolve("cache"), new BlobStore(temp.resolve("blobs")), LayerLimits.DEFAULT);
    }

    @Test
    void unpacksFilesDirectoriesAndLinksUnderTheDigestOfTheArchive() throws IOException {
        Path tar = new TarWriter().dir("app").file("app/hello.txt", "hello\n").symlink("app/link", "hello.txt")
                .symlink("app/abs", "/usr/bin/env").hardlink("app/hard", "app/hello.txt")
                .writeTo(temp.resolve("good.tar"));
        LayerCache cache = cache();
        String digest = cache.importTar(tar, null);
        assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
        Path dir = cache.find(digest).orElseThrow();
        assertEquals("hello\n", Files.readString(dir.resolve("app/hello.txt")));
        assertEquals("hello.txt", Files.readSymbolicLink(dir.resolve("app/link")).toString());
        assertEquals("/usr/bin/env", Files.readSymbolicLink(dir.resolve("app/abs")).toString(),
                "absolute targets resolve inside the container, so they are kept");
        assertEquals("hello\n", Files.readString(dir.resolve("app/hard")));
    }

    @Test
    void readsGzipAndVerifiesTheDigestOfTheCompressedBytes() throws IOException {
        Path plain = new TarWriter().file("a.txt", "a\n").writeTo(temp.resolve("a.tar"));
        Path gz = temp.resolve("a.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(plain, out);
        }
        LayerCache cache = cache();
        String digest = cache.importTar(gz, null);
        assertEquals("a\n", Files.readString(cache.find(digest).orElseThrow().resolve("a.txt")));
        assertEquals(digest, cache.importTar(gz, digest));
    }

    @Test
    void aGzipBombIsRefusedWhileItUnpacksAndLeavesNothing() throws Exception {
        Path zeros = Files.createDirectories(temp.resolve("bomb")).resolve("zeros.bin");
        try (var file = java.nio.channels.FileChannel.open(zeros, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            file.truncate(0).position((64L << 20) - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        Path bomb = temp.resolve("bomb.tar.gz");
        Process tar = new ProcessBuilder("tar", "-czf", bomb.toString(), "-C", zeros.getParent().toString(),
                "zeros.bin").start();
        assertEquals(0, tar.waitFor());
        assertTrue(Files.size(bomb) < 1 << 20, "64 MiB of zeros gzip to " + Files.size(bomb) + " bytes");
        LayerCache cache = cache();
        InvalidLayerException refused = assertThrows(InvalidLayerException.class, () -> cache.importTar(bomb, null));
        assertTrue(refused.getMessage().startsWith("the layer unpacks to more than 100 times its compressed size"),
                refused.getMessage());
        assertNothingCached();
    }

    @Test
    void aLayerPastTheNodesSizeOrEntryLimitIsRefused() throws IOException {
        LayerCache small = new LayerCache(temp.resolve("cache"), new BlobStore(temp.resolve("blobs")),
                new LayerLimits(4096, 10, 100));
        Path big = new TarWriter().file("big.txt", "x".repeat(8192)).writeTo(temp.resolve("big.tar"));
        assertEquals("the layer unpacks to more than 4 KiB, this node's limit (flotilla.sandbox.layer-max-size)",
                assertThrows(InvalidLayerException.class, () -> small.importTar(big, null)).getMessage());
        TarWriter many = new TarWriter();
        for (int i = 0; i < 20; i++) {
            many.dir("d" + i);
        }
        Path crowded = many.writeTo(temp.resolve("many.tar"));
        LayerCache few = new LayerCache(temp.resolve("cache"), new BlobStore(temp.resolve("blobs")),
                new LayerLimits(1 << 20, 10, 100));
        assertEquals("the layer has more than 10 entries, this node's limit (flotilla.sandbox.layer-max-entries)",
                assertThrows(InvalidLayerException.class, () -> few.importTar(crowded, null)).getMessage());
        assertNothingCached();
    }

    private void assertNothingCached() throws IOException {
        try (Stream<Path> left = Files.list(temp.resolve("cache"))) {
            assertEquals(0, left.count(), "no layer, whole or half, is left in the cache");
        }
    }

    @Test
    void dropsSetuidBits() throws IOException {
        Path tar = new TarWriter().setuidFile("su").writeTo(temp.resolve("suid.tar"));
        LayerCache cache = cache();
        Path su = cache.find(cache.importTar(tar, null)).orElseThrow().resolve("su");
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(su)));
    }

    @Test
    void refusesDotDotEntries() throws IOException {
        assertRefused(new TarWriter().file("ok.txt", "x").file("../escape.txt", "x"), "'..'");
        assertFalse(Files.exists(temp.resolve("escape.txt")));
    }

    @Test
    void refusesAbsolutePaths() throws IOException {
        assertRefused(new TarWriter().file("/etc/flotilla-evil", "x"), "absolute path");
    }

    @Test
    void refusesSymlinksThatPointOutOfTheLayer() throws IOException {
        assertRefused(new TarWriter().dir("a").symlink("a/up", "../../etc/passwd"), "points out of the layer");
    }

    @Test
    void refusesWritingThroughASymlink() throws IOException {
        assertRefused(new TarWriter().symlink("etc", "/etc").file("etc/flotilla-evil", "x"), "through the symlink");
        assertFalse(Files.exists(Path.of("/etc/flotilla-evil")));
    }

    @Test
    void refusesHardLinksToAnythingButAnEarlierFileOfTheLayer() throws IOException {
        assertRefused(new TarWriter().hardlink("passwd", "etc/passwd"), "hard link");
    }

    @Test
    void refusesADigestMismatchAndKeepsNothing() throws IOException {
        Path tar = new TarWriter().file("a.txt", "a\n").writeTo(temp.resolve("a.tar"));
        String wrong = "sha256:" + "0".repeat(64);
        LayerCache cache = cache();
        InvalidLayerException e = assertThrows(InvalidLayerException.class, () -> cache.importTar(tar, wrong));
        assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
        assertTrue(cache.find(wrong).isEmpty());
        assertCacheEmpty();
    }

    @Test
    void refusesAMalformedDigestAndAFileThatIsNotTar() throws IOException {
        Path junk = Files.writeString(temp.resolve("junk.tar"), "this is not a tar archive at all".repeat(40));
        LayerCache cache = cache();
        assertTrue(assertThrows(InvalidLayerException.class, () -> cache.importTar(junk, "md5:abc")).getMessage()
                .contains("sha256:"));
        assertTrue(assertThrows(InvalidLayerException.class, () -> cache.importTar(junk, null)).getMessage()
                .contains("not a tar archive"));
        assertCacheEmpty();
    }

    private void assertRefused(TarWriter archive, String reason) throws IOException {
        Path tar = archive.writeTo(temp.resolve("bad.tar"));
        LayerCache cache = cache();
        InvalidLayerException e = assertThrows(InvalidLayerException.class, () -> cache.importTar(tar, null));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertCacheEmpty();
    }

    @Test
    void keepsTheArchiveAsABlobAndUnpacksALayerFromABlobAlone() throws IOException {
        Path tar = new TarWriter().file("a.txt", "a\n").writeTo(temp.resolve("a.tar"));
        String digest = cache().importTar(tar, null);
        assertEquals(Files.size(tar), Files.size(cache().blobs().find(digest).orElseThrow()));

        LayerCache elsewhere = new LayerCache(temp.resolve("other-cache"), new BlobStore(temp.resolve("other-blobs")),
                LayerLimits.DEFAULT);
        assertTrue(elsewhere.unpackStored(digest).isEmpty(), "neither the layer nor its archive is there yet");
        try (var in = Files.newInputStream(tar)) {
            elsewhere.blobs().put(in, digest);
        }
        assertEquals("a\n", Files.readString(elsewhere.unpackStored(digest).orElseThrow().resolve("a.txt")));
    }

    /** Stores the tree's files and the tree itself as blobs, as a client's upload does; returns the tree's digest. */
    private static String storeTree(LayerCache cache, LayerTree tree, Path dir) throws IOException {
        for (LayerTree.Entry entry : tree.entries()) {
            if (entry.kind() == LayerTree.Kind.FILE && dir != null) {
                cache.blobs().putFile(dir.resolve(entry.path()), entry.digest());
            }
        }
        return cache.blobs().put(new ByteArrayInputStream(tree.toBytes()), null);
    }

    @Test
    void assemblesALayerTreeFromItsFileBlobsIntoWhatItsDirectoryHolds() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("project/app"));
        Files.writeString(dir.resolve("hello.txt"), "hello\n");
        Files.writeString(dir.resolve("same.txt"), "hello\n");
        Path tool = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("hello.txt"));
        LayerCache cache = cache();
        LayerTree tree = LayerTree.of(temp.resolve("project"));
        assertEquals(2, tree.fileDigests().size(), "two files of the same content are one blob");
        String digest = storeTree(cache, tree, temp.resolve("project"));
        Path layer = cache.unpackStored(digest).orElseThrow();
        assertEquals("hello\n", Files.readString(layer.resolve("app/same.txt")));
        assertEquals("hello.txt", Files.readSymbolicLink(layer.resolve("app/link")).toString());
        assertTrue(Files.isExecutable(layer.resolve("app/run.sh")));
        assertEquals(layer, cache.find(digest).orElseThrow(), "kept under the tree's digest");
    }

    @Test
    void aTreeWhoseFilesAreNotAllHereNamesTheMissingOnes() throws IOException {
        Path dir = Files.createDirectories(temp.resolve("project"));
        Files.writeString(dir.resolve("a.txt"), "a\n");
        LayerCache cache = cache();
        LayerTree tree = LayerTree.of(dir);
        String digest = storeTree(cache, tree, null);
        MissingBlobsException e = assertThrows(MissingBlobsException.class, () -> cache.unpackStored(digest));
        assertEquals(List.copyOf(tree.fileDigests()), e.missing());
        assertTrue(cache.find(digest).isEmpty());
    }

    @Test
    void aHostileTreeIsRefusedAsAHostileTarIsAndLeavesNoLayer() throws IOException {
        LayerCache cache = cache();
        String content = cache.blobs().put(new ByteArrayInputStream("owned\n".getBytes(StandardCharsets.UTF_8)), null);
        for (LayerTree.Entry bad : List.of(
                new LayerTree.Entry(LayerTree.Kind.FILE, "../escape.txt", 0644, 6, content, ""),
                new LayerTree.Entry(LayerTree.Kind.FILE, "/etc/cron.d/x", 0644, 6, content, ""),
                new LayerTree.Entry(LayerTree.Kind.SYMLINK, "up", 0777, 0, "", "../../.."),
                new LayerTree.Entry(LayerTree.Kind.FILE, "short.txt", 0644, 99, content, ""))) {
            String digest = storeTree(cache, new LayerTree(List.of(bad)), null);
            assertThrows(InvalidLayerException.class, () -> cache.unpackStored(digest), bad.toString());
            assertTrue(cache.find(digest).isEmpty(), bad.toString());
        }
        assertFalse(Files.exists(temp.resolve("escape.txt")));
        String garbled = cache.blobs().put(new ByteArrayInputStream((LayerTree.MAGIC + "x\0")
                .getBytes(StandardCharsets.UTF_8)), null);
        InvalidLayerException e = assertThrows(InvalidLayerException.class, () -> cache.unpackStored(garbled));
        assertTrue(e.getMessage().contains("six fields each"), e.getMessage());
    }

    private void assertCacheEmpty() throws IOException {
        for (String dir : new String[] {"cache", "blobs"}) {
            try (Stream<Path> entries = Files.list(temp.resolve(dir))) {
                assertEquals(0, entries.count(), "a refused layer leaves nothing in the " + dir);
            }
        }
    }
}
