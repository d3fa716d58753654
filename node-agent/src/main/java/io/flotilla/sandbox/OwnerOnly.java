package io.flotilla.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * What only its owner may read: a node's data directory (job environments, job output, layer archives, the
 * journal, its secrets), its tokens file, its TLS material. A directory is made so when it is missing; anything that
 * exists must already be so, because opening it up was someone's decision that Flotilla should not silently undo,
 * nor silently accept. Each refusal names the path and the chmod that fixes it.
 */
public final class OwnerOnly {
    /** Who may enter a directory: anyone with any of these. */
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** Who may read or change a file. */
    private static final Set<PosixFilePermission> OTHERS_READ_WRITE = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private OwnerOnly() {
    }

    /**
     * Creates {@code dir} with mode 0700 (and any missing parents as usual), or checks that the existing one is a
     * directory of this user's that no one else may enter.
     *
     * @throws IllegalStateException naming the directory and the fix when it is open to others, not a directory, a
     *                               symlink or someone else's
     */
    public static Path directory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made by another process just now: checked below like any existing one
            }
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory()) {
            throw new IllegalStateException(dir + " must be a directory of its own, not "
                    + (attributes.isSymbolicLink() ? "a symbolic link" : "a file"));
        }
        String me = System.getProperty("user.name");
        if (!attributes.owner().getName().equals(me)) {
            throw new IllegalStateException(dir + " belongs to " + attributes.owner().getName() + ", not to " + me
                    + ", who runs Flotilla");
        }
        if (isOpen(attributes.permissions(), OTHERS)) {
            throw new IllegalStateException(dir + " is open to other users (mode "
                    + PosixFilePermissions.toString(attributes.permissions()) + "), and it holds job environments, "
                    + "output and secrets: run chmod 700 " + dir);
        }
        return dir;
    }

    /**
     * Checks that the file {@code what} (like "the tokens file") at {@code file} is readable by its owner only.
     *
     * @throws IllegalArgumentException naming the file, its mode and the fix when others may read or write it
     */
    public static void requireFile(Path file, String what) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (isOpen(permissions, OTHERS_READ_WRITE)) {
            throw new IllegalArgumentException(what + " " + file + " is open to other users (mode "
                    + PosixFilePermissions.toString(permissions) + "): run chmod 600 " + file);
        }
    }

    private static boolean isOpen(Set<PosixFilePermission> permissions, Set<PosixFilePermission> others) {
        Set<PosixFilePermission> open = EnumSet.copyOf(permissions);
        open.retainAll(others);
        return !open.isEmpty();
    }
}
