package io.flotilla.ci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GitHub App as GitHub sees it, on a {@link StubForge}: a new RSA key written as GitHub hands it out (PKCS#1 PEM),
 * an installation whose token endpoint gives {@link #TOKEN} only for a JWT this app's key signed and that is still
 * valid, and check-run endpoints that answer with a new id. A JWT signed by any other key gets GitHub's 401.
 */
public final class GithubAppFixture {
    public static final long APP_ID = 4242;
    public static final long INSTALLATION_ID = 777;
    public static final String TOKEN = "ghs_installation_token_0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyPair keys;
    private final AtomicLong ids = new AtomicLong(9000);

    private GithubAppFixture(KeyPair keys) {
        this.keys = keys;
    }

    /** A new app, whose endpoints {@code forge} now serves. */
    public static GithubAppFixture serve(StubForge forge) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        GithubAppFixture app = new GithubAppFixture(generator.generateKeyPair());
        forge.route("POST", "/app/installations/" + INSTALLATION_ID + "/access_tokens", app::token);
        forge.route("POST", "/check-runs", call -> new StubForge.Answer(201, "{\"id\":" + app.ids.incrementAndGet()
                + "}", Map.of()));
        forge.route("PATCH", "/check-runs/", call -> new StubForge.Answer(200, "{\"id\":" + call.path()
                .substring(call.path().lastIndexOf('/') + 1) + "}", Map.of()));
        return app;
    }

    /** Writes the app's key into {@code file}, readable by its owner only: PKCS#1 as GitHub gives it, or PKCS#8. */
    public Path writeKey(Path file, boolean pkcs1) throws IOException {
        byte[] pkcs8 = keys.getPrivate().getEncoded();
        byte[] der = pkcs1 ? innerKey(pkcs8) : pkcs8;
        String kind = pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY";
        Files.writeString(file, "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(der) + "\n-----END " + kind + "-----\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The app's registration fields, for a repositories file. */
    public String registration(Path keyFile) {
        return "app-id: " + APP_ID + ", installation-id: " + INSTALLATION_ID + ", app-key-file: \"" + keyFile + "\"";
    }

    /** Whether the JWT is this app's, signed with its key, and valid now. */
    public boolean verifies(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return false;
        }
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(keys.getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            long now = Instant.now().getEpochSecond();
            return rsa.verify(Base64.getUrlDecoder().decode(parts[2]))
                    && claims.path("iss").asText().equals(Long.toString(APP_ID))
                    && claims.path("iat").asLong() <= now && claims.path("exp").asLong() > now
                    && claims.path("exp").asLong() - claims.path("iat").asLong() <= 600;
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private StubForge.Answer token(StubForge.Call call) {
        String bearer = call.header("Authorization").replaceFirst("^Bearer ", "");
        return verifies(bearer)
                ? new StubForge.Answer(201, "{\"token\":\"" + TOKEN + "\",\"expires_at\":\""
                        + Instant.now().plusSeconds(3600) + "\"}", Map.of())
                : new StubForge.Answer(401, "{\"message\":\"A JSON web token could not be decoded\"}", Map.of());
    }

    /** The PKCS#1 key inside a PKCS#8 one: the contents of its last element, an OCTET STRING. */
    private static byte[] innerKey(byte[] pkcs8) {
        int at = 1 + lengthSize(pkcs8, 1); // into the outer SEQUENCE
        at += 3; // INTEGER 0
        at += 2 + pkcs8[at + 1]; // the algorithm's SEQUENCE, short
        int header = 1 + lengthSize(pkcs8, at + 1);
        return Arrays.copyOfRange(pkcs8, at + header, pkcs8.length);
    }

    private static int lengthSize(byte[] der, int at) {
        return (der[at] & 0x80) == 0 ? 1 : 1 + (der[at] & 0x7f);
    }
}
