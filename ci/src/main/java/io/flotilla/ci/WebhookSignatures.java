package io.flotilla.ci;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proof that a delivery comes from the forge: GitHub signs the raw body with HMAC-SHA256 under the webhook's secret,
 * GitLab sends the secret itself as a token. Both are compared in constant time, so the time an answer takes tells
 * nothing about how much of a guess was right.
 */
final class WebhookSignatures {
    private static final String PREFIX = "sha256=";

    private WebhookSignatures() {
    }

    /** Empty when {@code signature} ({@code X-Hub-Signature-256}) is the body's HMAC under the secret. */
    static Optional<WebhookIntake.Refused> checkGithub(byte[] secret, byte[] body, Optional<String> signature) {
        if (signature.isEmpty()) {
            return refused("the delivery is not signed: X-Hub-Signature-256 is missing (set the webhook's secret)",
                    "X-Hub-Signature-256");
        }
        byte[] given;
        try {
            given = signature.get().startsWith(PREFIX) ? HexFormat.of().parseHex(signature.get()
                    .substring(PREFIX.length())) : new byte[0];
        } catch (IllegalArgumentException e) {
            given = new byte[0];
        }
        return MessageDigest.isEqual(hmac(secret, body), given) ? Optional.empty()
                : refused("X-Hub-Signature-256 does not match the body signed with the repository's secret",
                        "X-Hub-Signature-256");
    }

    /** Empty when {@code token} ({@code X-Gitlab-Token}) is the secret. */
    static Optional<WebhookIntake.Refused> checkGitlab(byte[] secret, Optional<String> token) {
        if (token.isEmpty()) {
            return refused("the delivery has no X-Gitlab-Token (set the webhook's secret token)", "X-Gitlab-Token");
        }
        return MessageDigest.isEqual(secret, token.get().getBytes(StandardCharsets.UTF_8)) ? Optional.empty()
                : refused("X-Gitlab-Token is not the repository's secret token", "X-Gitlab-Token");
    }

    /** The HMAC-SHA256 of {@code body} under {@code secret}, as GitHub computes it. */
    static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    private static Optional<WebhookIntake.Refused> refused(String message, String field) {
        return Optional.of(new WebhookIntake.Refused(401, message, field));
    }
}
