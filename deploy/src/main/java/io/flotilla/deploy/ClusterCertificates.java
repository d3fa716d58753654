package io.flotilla.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The cluster's certificates, made with the JDK's own keytool: one certificate authority for the cluster, and for
 * each node (or client that joins the cluster) a key with a certificate the authority signed for the addresses the
 * node is reached at. A node trusts exactly that one authority, so whatever reaches its cluster port without such a
 * certificate cannot join, nor deliver a single message.
 *
 * <p>An authority directory holds {@code ca.p12} (its private key: keep it off the nodes), {@code ca.password} and
 * {@code ca.crt}. A node directory holds {@code keystore.p12} (the node's key and its chain), {@code truststore.p12}
 * (only the authority), {@code store-password} (both stores' password) and {@code ca.crt} (for clients to trust).
 * Keys are ECDSA P-256; every secret file is readable by its owner only.
 */
final class ClusterCertificates {
    static final String KEYSTORE = "keystore.p12";
    static final String TRUSTSTORE = "truststore.p12";
    static final String STORE_PASSWORD = "store-password";
    static final String CA_CERT = "ca.crt";
    private static final String CA_STORE = "ca.p12";
    private static final String CA_PASSWORD = "ca.password";
    private static final String KEY = "-keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA";

    private ClusterCertificates() {
    }

    /** Makes a new authority in {@code dir}, which must not hold one yet. */
    static void createAuthority(Path dir, String name, int days) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        requireAbsent(dir.resolve(CA_STORE));
        String password = secret(dir.resolve(CA_PASSWORD));
        keytool(password, "-genkeypair -alias ca " + KEY + " -validity " + days + " -storetype PKCS12"
                + " -ext bc:c=ca:true,pathlen:0 -ext ku:c=keyCertSign,cRLSign", "-dname", "CN=" + name,
                "-keystore", dir.resolve(CA_STORE).toString());
        keytool(password, "-exportcert -rfc -alias ca", "-keystore", dir.resolve(CA_STORE).toString(), "-file",
                dir.resolve(CA_CERT).toString());
    }

    /**
     * Issues a node's key and certificate, signed by the authority in {@code authorityDir}, into {@code nodeDir}.
     *
     * @param hosts every name and address the node is reached at: each becomes a subject alternative name, which
     *              the other nodes check against the address they connected to
     */
    static void issue(Path authorityDir, Path nodeDir, String name, List<String> hosts, int days)
            throws IOException, InterruptedException {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a node certificate needs at least one --host its peers reach it at");
        }
        Path caStore = authorityDir.resolve(CA_STORE);
        if (!Files.isRegularFile(caStore)) {
            throw new IllegalArgumentException(authorityDir + " holds no certificate authority (no " + CA_STORE
                    + "): make one with 'flotilla certs authority " + authorityDir + "'");
        }
        String caPassword = Files.readString(authorityDir.resolve(CA_PASSWORD)).trim();
        Files.createDirectories(nodeDir);
        requireAbsent(nodeDir.resolve(KEYSTORE));
        String password = secret(nodeDir.resolve(STORE_PASSWORD));
        Path keystore = nodeDir.resolve(KEYSTORE);
        Path request = nodeDir.resolve("node.csr");
        Path signed = nodeDir.resolve("node.crt");
        List<String> names = new ArrayList<>();
        for (String host : hosts) {
            names.add((host.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + host);
        }
        try {
            keytool(password, "-genkeypair -alias node " + KEY + " -validity " + days + " -storetype PKCS12",
                    "-dname", "CN=" + name, "-keystore", keystore.toString());
            keytool(password, "-certreq -alias node", "-keystore", keystore.toString(), "-file", request.toString());
            keytool(caPassword, "-gencert -rfc -alias ca -sigalg SHA256withECDSA -validity " + days
                    + " -ext eku=serverAuth,clientAuth -ext ku:c=digitalSignature -ext bc=ca:false",
                    "-ext", "san=" + String.join(",", names), "-keystore", caStore.toString(),
                    "-infile", request.toString(), "-outfile", signed.toString());
            Path chain = nodeDir.resolve("chain.pem");
            Files.writeString(chain, Files.readString(signed) + Files.readString(authorityDir.resolve(CA_CERT)));
            keytool(password, "-importcert -noprompt -alias node", "-keystore", keystore.toString(), "-file",
                    chain.toString());
            keytool(password, "-importcert -noprompt -alias cluster-ca -storetype PKCS12", "-keystore",
                    nodeDir.resolve(TRUSTSTORE).toString(), "-file", authorityDir.resolve(CA_CERT).toString());
            Files.copy(authorityDir.resolve(CA_CERT), nodeDir.resolve(CA_CERT), StandardCopyOption.REPLACE_EXISTING);
            Files.delete(chain);
        } finally {
            Files.deleteIfExists(request);
            Files.deleteIfExists(signed);
        }
        for (String store : List.of(KEYSTORE, TRUSTSTORE)) {
            Files.setPosixFilePermissions(nodeDir.resolve(store), PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static void requireAbsent(Path file) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(file + " exists already: certificates are never overwritten");
        }
    }

    /** A new random password, written to {@code file} for its owner only. */
    private static String secret(Path file) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))), password + "\n", StandardCharsets.US_ASCII);
        return password;
    }

    /** Runs the JDK's keytool; the password reaches it through its environment, never its command line. */
    private static void keytool(String password, String options, String... more)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(options.split(" ")));
        command.addAll(List.of(more));
        command.addAll(List.of("-storepass:env", "FLOTILLA_STORE_PASSWORD"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(Map.of("FLOTILLA_STORE_PASSWORD", password));
        Process keytool = builder.start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (keytool.waitFor() != 0) {
            throw new IOException("keytool " + options.split(" ")[0] + " failed: " + output);
        }
    }
}
