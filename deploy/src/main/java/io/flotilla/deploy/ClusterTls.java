package io.flotilla.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.sandbox.OwnerOnly;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A node's TLS material, from the directory {@code flotilla certs node} made ({@code flotilla.tls.dir}): Artery
 * runs over TLS with mutual authentication and host name checks, so only holders of a certificate from the
 * cluster's authority join or deliver a message, and the same key serves the REST API over HTTPS and lets the node
 * check the nodes it fetches layers and output from.
 */
final class ClusterTls {
    private final Path dir;
    private final String password;

    private ClusterTls(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** The node's material, when {@code flotilla.tls.dir} names some; checked whole, with a clear error. */
    static Optional<ClusterTls> from(Config config) throws IOException {
        String dir = config.getString("flotilla.tls.dir");
        return dir.isBlank() ? Optional.empty() : Optional.of(open(Path.of(dir)));
    }

    static ClusterTls open(Path dir) throws IOException {
        for (String file : new String[] {ClusterCertificates.KEYSTORE, ClusterCertificates.TRUSTSTORE,
                ClusterCertificates.STORE_PASSWORD}) {
            Path path = dir.resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("the TLS directory " + dir + " has no " + file
                        + ": make it with 'flotilla certs node'");
            }
            OwnerOnly.requireFile(path, "the TLS file");
        }
        return new ClusterTls(dir, Files.readString(dir.resolve(ClusterCertificates.STORE_PASSWORD)).trim());
    }

    /** The Artery settings that put the cluster's traffic on mutually authenticated TLS. */
    Config arterySettings() {
        String engine = "pekko.remote.artery.ssl.config-ssl-engine.";
        return ConfigFactory.parseMap(Map.of(
                "pekko.remote.artery.transport", "tls-tcp",
                engine + "key-store", dir.resolve(ClusterCertificates.KEYSTORE).toString(),
                engine + "trust-store", dir.resolve(ClusterCertificates.TRUSTSTORE).toString(),
                engine + "key-store-password", password,
                engine + "key-password", password,
                engine + "trust-store-password", password,
                engine + "require-mutual-authentication", "on",
                engine + "hostname-verification", "on"));
    }

    /** The node's key and the cluster's authority, for HTTPS as a server and as a client of the other nodes. */
    SSLContext sslContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(ClusterCertificates.KEYSTORE), password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(ClusterCertificates.TRUSTSTORE));
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the TLS material in " + dir + ": " + e.getMessage(), e);
        }
    }

    private KeyStore load(String file) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(file))) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
