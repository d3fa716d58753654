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
 * The native programs (the launcher, the shard runner) ship inside the node agent's jar, so a jar is all a node
 * needs. Each is written out once per content hash, which keeps several versions side by side and makes a
 * half-written file impossible to run.
 */
final class NativeBinary {
    static final String LAUNCHER = "flotilla-launcher";
    static final String SHARD_RUNNER = "flotilla-shard-runner";

    private NativeBinary() {
    }

    static Path extract(Path binDir, String resource) throws IOException {
        byte[] bytes;
        try (InputStream in = NativeBinary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the class path; rebuild with 'mvn package'");
            }
            bytes = in.readAllBytes();
        }
        Path target = binDir.resolve(resource + "-" + HexFormat.of().formatHex(sha256(bytes), 0, 8));
        if (!Files.isExecutable(target)) {
            Files.createDirectories(binDir);
            Path temp = Files.createTempFile(binDir, resource, ".tmp");
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
