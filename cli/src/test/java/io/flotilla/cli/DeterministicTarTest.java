package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same tree packs to the same bytes wherever and whenever it was checked out; the system's tar reads it. */
class DeterministicTarTest {
    @TempDir
    Path temp;

    private static byte[] pack(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeterministicTar.write(dir, out);
        return out.toByteArray();
    }

    /** A small project tree, its files created in the given order, with the given mtime and umask-ish modes. */
    private Path checkout(String name, boolean reversed, long mtime, String fileMode) throws IOException {
        Path root = Files.createDirectory(temp.resolve(name));
        List<String> files = new ArrayList<>(List.of("src/main.c", "src/util/strings.c", "tests/run.sh",
                "README", "a/very/" + "deep/".repeat(30) + "file.txt"));
        if (reversed) {
            java.util.Collections.reverse(files);
        }
        for (String file : files) {
            Path path = root.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, "contents of " + file + "\n");
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(fileMode));
        }
        Files.setPosixFilePermissions(root.resolve("tests/run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("src/main.c"));
        try (var walk = Files.walk(root)) {
            for (Path path : walk.toList()) {
                if (!Files.isSymbolicLink(path)) {
                    Files.setLastModifiedTime(path, FileTime.fromMillis(mtime));
                }
            }
        }
        return root;
    }

    @Test
    void twoCheckoutsOfTheSameTreePackToTheSameBytes() throws Exception {
        byte[] first = pack(checkout("one", false, 1_000_000_000L, "rw-r--r--"));
        byte[] second = pack(checkout("two", true, 1_700_000_000_000L, "rw-rw-r--"));
        assertArrayEquals(first, second, "creation order, mtimes and group bits do not matter");

        Path changed = checkout("three", false, 0, "rw-r--r--");
        Files.writeString(changed.resolve("README"), "another readme\n");
        assertFalse(java.util.Arrays.equals(first, pack(changed)), "contents do");
    }

    @Test
    void systemTarReadsTheArchiveBackWithExecutableBitsAndLinks() throws Exception {
        Path tree = checkout("tree", false, 0, "rw-r--r--");
        Path tar = temp.resolve("tree.tar");
        Files.write(tar, pack(tree));
        Path out = Files.createDirectory(temp.resolve("out"));
        Process untar = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", out.toString()).inheritIO().start();
        assertEquals(0, untar.waitFor());
        assertEquals("contents of src/util/strings.c\n", Files.readString(out.resolve("src/util/strings.c")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                out.resolve("tests/run.sh"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("README"))));
        assertEquals(Path.of("src/main.c"), Files.readSymbolicLink(out.resolve("link")));
        assertEquals("contents of a/very/" + "deep/".repeat(30) + "file.txt\n",
                Files.readString(out.resolve("a/very/" + "deep/".repeat(30) + "file.txt")), "a long path survives");
    }
}
