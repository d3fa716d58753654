package io.flotilla.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates for the cluster tests, made once per test JVM with {@link ClusterCertificates}: the cluster's
 * authority and one certificate for every node and client on loopback, and a second, rogue authority with a
 * certificate of its own, for the attacks.
 */
final class TestCertificates {
    private static Path dir;

    private TestCertificates() {
    }

    /** A node directory (for {@code --tls-dir}) signed by the cluster's authority, valid for 127.0.0.1. */
    static synchronized Path node() {
        return made().resolve("node");
    }

    /** The cluster's authority's certificate, for clients. */
    static Path authorityCertificate() {
        return node().resolve(ClusterCertificates.CA_CERT);
    }

    /** A node directory signed by another authority, which the cluster does not trust. */
    static synchronized Path rogue() {
        return made().resolve("rogue-node");
    }

    private static Path made() {
        if (dir == null) {
            try {
                Path made = Files.createTempDirectory("flotilla-test-certs-");
                ClusterCertificates.createAuthority(made.resolve("ca"), "Flotilla test CA", 30);
                ClusterCertificates.issue(made.resolve("ca"), made.resolve("node"), "127.0.0.1",
                        List.of("127.0.0.1", "localhost"), 30);
                ClusterCertificates.createAuthority(made.resolve("rogue-ca"), "Rogue CA", 30);
                ClusterCertificates.issue(made.resolve("rogue-ca"), made.resolve("rogue-node"), "127.0.0.1",
                        List.of("127.0.0.1", "localhost"), 30);
                dir = made;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return dir;
    }
}
