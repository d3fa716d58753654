package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's data directory and secret files are its own: made private, and refused when opened to others. */
class OwnerOnlyTest {
    @TempDir
    Path temp;

    @Test
    void aSecretFileOthersMayReadIsRefusedWithTheFix() throws Exception {
        Path secret = Files.createFile(temp.resolve("tokens"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("the tokens file " + secret + " is open to other users (mode rw-r-----): run chmod 600 " + secret,
                assertThrows(IllegalArgumentException.class, () -> OwnerOnly.requireFile(secret, "the tokens file"))
                        .getMessage());
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        OwnerOnly.requireFile(secret, "the tokens file");
    }

    @Test
    void aMissingDirectoryIsMadeForItsOwnerOnly() throws Exception {
        Path made = OwnerOnly.directory(temp.resolve("a/b/data"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        assertEquals(made, OwnerOnly.directory(made), "and it is accepted as it is next time");
    }

    @Test
    void oneOthersMayEnterIsRefusedWithTheFix() throws Exception {
        Path open = Files.createDirectory(temp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> OwnerOnly.directory(open));
        assertEquals(open + " is open to other users (mode rwxr-xr-x), and it holds job environments, output and "
                + "secrets: run chmod 700 " + open, refused.getMessage());
        Path link = Files.createSymbolicLink(temp.resolve("link"), Files.createDirectory(temp.resolve("target")));
        assertEquals(link + " must be a directory of its own, not a symbolic link",
                assertThrows(IllegalStateException.class, () -> OwnerOnly.directory(link)).getMessage());
    }
}
