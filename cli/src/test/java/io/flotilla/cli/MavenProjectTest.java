package io.flotilla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MavenProjectTest {
    @Test
    void jarsOfOneLocalRepositoryComeFromItsRoot() {
        List<Path> jars = List.of(Path.of("/home/dev/.m2/repository/org/junit/junit-jupiter-api-5.14.4.jar"),
                Path.of("/home/dev/.m2/repository/com/google/guava/guava-33.jar"));
        assertEquals(List.of(Path.of("/home/dev/.m2/repository")), MavenProject.roots(jars));
    }

    @Test
    void jarsSpreadOverTheMachineComeFromTheirOwnDirectoriesNotFromATopLevelOne() {
        List<Path> jars = List.of(Path.of("/usr/share/java/a.jar"), Path.of("/opt/lib/b.jar"),
                Path.of("/usr/share/java/c.jar"));
        assertEquals(List.of(Path.of("/usr/share/java"), Path.of("/opt/lib")), MavenProject.roots(jars));
        assertEquals(List.of(), MavenProject.roots(List.of()));
    }

    @Test
    void othersCanReadAJarOnlyWhenEveryDirectoryDownToItIsOpen(@TempDir Path root) throws Exception {
        Path dir = Files.createDirectories(root.resolve("org/example"));
        Path jar = Files.writeString(dir.resolve("example-1.0.jar"), "jar");
        for (Path open : List.of(root, root.resolve("org"), dir)) {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(MavenProject.othersCanRead(root, List.of(jar)));
        Files.setPosixFilePermissions(root.resolve("org"), PosixFilePermissions.fromString("rwxr-x---"));
        assertFalse(MavenProject.othersCanRead(root, List.of(jar)), "a closed directory on the way");
        Files.setPosixFilePermissions(root.resolve("org"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-------"));
        assertFalse(MavenProject.othersCanRead(root, List.of(jar)), "a private jar");
    }
}
