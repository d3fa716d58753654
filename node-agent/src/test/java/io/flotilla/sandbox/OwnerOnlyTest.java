package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's data directory is its own: made private, and refused when someone opened it to others. */
class PrivateDirectoryTest {
    @TempDir
    Path temp;

    @Test
    void aMissingDirectoryIsMadeForItsOwnerOnly() throws Exception {
        Path made = PrivateDirectory.ensure(temp.resolve("a/b/data"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        assertEquals(made, PrivateDirectory.ensure(made), "and it is accepted as it is next time");
    }

    @Test
    void oneOthersMayEnterIsRefusedWithTheFix() throws Exception {
        Path open = Files.createDirectory(temp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> PrivateDirectory.ensure(open));
        assertEquals(open + " is open to other users (mode rwxr-xr-x), and it holds job environments, output and "
                + "secrets: run chmod 700 " + open, refused.getMessage());
        Path link = Files.createSymbolicLink(temp.resolve("link"), Files.createDirectory(temp.resolve("target")));
        assertEquals(link + " must be a directory of its own, not a symbolic link",
                assertThrows(IllegalStateException.class, () -> PrivateDirectory.ensure(link)).getMessage());
    }
}
