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
 * A directory only its owner may enter: where a node keeps job environments, job output, layer archives, the
 * journal and its secrets. It is made so when it is missing; one that exists must already be so, because opening
 * it up was someone's decision that Flotilla should not silently undo, nor silently accept.
 */
public final class PrivateDirectory {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PrivateDirectory() {
    }

    /**
     * Creates {@code dir} with mode 0700 (and any missing parents as usual), or checks that the existing one is a
     * directory of this user's that no one else may enter.
     *
     * @throws IllegalStateException naming the directory and the fix when it is open to others, not a directory, a
     *                               symlink or someone else's
     */
    public static Path ensure(Path dir) throws IOException {
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
        Set<PosixFilePermission> open = EnumSet.copyOf(attributes.permissions());
        open.retainAll(OTHERS);
        if (!open.isEmpty()) {
            throw new IllegalStateException(dir + " is open to other users (mode "
                    + PosixFilePermissions.toString(attributes.permissions()) + "), and it holds job environments, "
                    + "output and secrets: run chmod 700 " + dir);
        }
        return dir;
    }
}
