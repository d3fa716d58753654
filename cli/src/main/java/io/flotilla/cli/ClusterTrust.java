package io.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The trust a client puts in a cluster that serves HTTPS with certificates from its own authority: exactly that
 * authority's certificate ({@code ca.crt} from {@code flotilla certs}), not the machine's public ones.
 */
final class ClusterTrust {
    private ClusterTrust() {
    }

    /** An SSL context that trusts only the authority in the PEM file {@code caCert}. */
    static SSLContext of(Path caCert) {
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new UsageException(caCert + " holds no certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageException("cannot read the cluster's certificate " + caCert + ": " + e.getMessage());
        }
    }
}
