package io.flotilla.ci;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A repository's GitHub App installation, which is what may write Check Runs (a token may only write statuses): the
 * app's id, the installation's id on the repository's account, and the app's private key, read from its file. The
 * node signs a short-lived JWT with the key and trades it for an installation token; the key never leaves the node.
 *
 * @param keyFile the private key GitHub gave for the app, as PEM (PKCS#1 as GitHub writes it, or PKCS#8)
 */
public record GithubApp(long appId, long installationId, Path keyFile) {
    /** The JWT lives 9 minutes of GitHub's 10, and starts a minute early, for clocks that are a little apart. */
    private static final long EARLY_SECONDS = 60;
    private static final long LIFETIME_SECONDS = 540;
    /** The DER prefix that makes a PKCS#1 RSA key a PKCS#8 one: its algorithm is rsaEncryption. */
    private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");

    /** A JWT that says "this app", signed with its key, valid from a minute before {@code nowSeconds}. */
    String jwt(long nowSeconds) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String unsigned = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + base64.encodeToString(("{\"iat\":" + (nowSeconds - EARLY_SECONDS) + ",\"exp\":"
                + (nowSeconds - EARLY_SECONDS + LIFETIME_SECONDS) + ",\"iss\":\"" + appId + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey());
            rsa.update(unsigned.getBytes(StandardCharsets.US_ASCII));
            return unsigned + "." + base64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("app-key-file " + keyFile + " cannot sign: " + e.getMessage());
        }
    }

    /** @throws InvalidKeyException saying why the file holds no RSA private key this node can use */
    PrivateKey privateKey() {
        String pem;
        try {
            pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidKeyException("cannot read app-key-file " + keyFile + ": " + e.getMessage());
        }
        boolean pkcs1 = pem.contains("-----BEGIN RSA PRIVATE KEY-----");
        String kind = pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY";
        int start = pem.indexOf("-----BEGIN " + kind + "-----");
        int end = pem.indexOf("-----END " + kind + "-----");
        if (start < 0 || end < start) {
            throw new InvalidKeyException("app-key-file " + keyFile + " holds no PEM private key (-----BEGIN RSA "
                    + "PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----); an encrypted key must be decrypted first");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + kind.length() + 16, end));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs8(der) : der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new InvalidKeyException("app-key-file " + keyFile + " holds no RSA private key: " + e.getMessage());
        }
    }

    /** PKCS#8's {@code SEQUENCE { INTEGER 0, rsaEncryption, OCTET STRING pkcs1 }} around a PKCS#1 key. */
    private static byte[] pkcs8(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] key = der(0x04, pkcs1);
        byte[] body = new byte[version.length + RSA_ALGORITHM.length + key.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
        System.arraycopy(key, 0, body, version.length + RSA_ALGORITHM.length, key.length);
        return der(0x30, body);
    }

    /** One DER element: tag, length (short or long form), contents. */
    private static byte[] der(int tag, byte[] contents) {
        byte[] length = contents.length < 0x80 ? new byte[] {(byte) contents.length}
                : lengthBytes(contents.length);
        byte[] element = new byte[1 + length.length + contents.length];
        element[0] = (byte) tag;
        System.arraycopy(length, 0, element, 1, length.length);
        System.arraycopy(contents, 0, element, 1 + length.length, contents.length);
        return element;
    }

    private static byte[] lengthBytes(int length) {
        byte[] digits = BigInteger.valueOf(length).toByteArray();
        int skip = digits[0] == 0 ? 1 : 0;
        byte[] bytes = new byte[1 + digits.length - skip];
        bytes[0] = (byte) (0x80 | (digits.length - skip));
        System.arraycopy(digits, skip, bytes, 1, digits.length - skip);
        return bytes;
    }

    /** An app key that cannot be used, with the reason. */
    public static final class InvalidKeyException extends RuntimeException {
        InvalidKeyException(String message) {
            super(message);
        }
    }
}
