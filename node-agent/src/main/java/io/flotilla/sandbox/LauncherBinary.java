package io.flotilla.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The native launcher ships inside the node agent's jar, so a jar is all a node needs. It is written out once per
 * content hash, which keeps several versions side by side and makes a half-written file impossible to run.
 */
final class LauncherBinary {
    private static final String RESOURCE = "flotilla-launcher";

    private LauncherBinary() {
    }

    static Path extract(Path binDir) throws IOException {
        byte[] bytes;
        try (InputStream in = LauncherBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the native launcher is missing from the class path; rebuild with 'mvn package'");
            }
            bytes = in.readAllBytes();
        }
        Path target = binDir.resolve(RESOURCE + "-" + HexFormat.of().formatHex(sha256(bytes), 0, 8));
        if (!Files.isExecutable(target)) {
            Files.createDirectories(binDir);
            Path temp = Files.createTempFile(binDir, RESOURCE, ".tmp");
            Files.write(temp, bytes);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
