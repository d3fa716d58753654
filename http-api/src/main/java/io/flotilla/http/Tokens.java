package io.flotilla.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens a node accepts, read from a file of lines {@code TOKEN USER ROLE} ({@code #} starts a comment),
 * with ROLE {@code read} or {@code submit}. Tokens are compared in constant time.
 */
final class Tokens {
    private final Map<String, Caller> byToken;

    private Tokens(Map<String, Caller> byToken) {
        this.byToken = byToken;
    }

    /** @throws IllegalArgumentException naming the line of the file that cannot be read */
    static Tokens read(Path file) throws IOException {
        Map<String, Caller> byToken = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 3 || !fields[1].matches("[A-Za-z0-9._@-]{1,64}")
                    || !fields[2].matches("read|submit")) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": want TOKEN USER read|submit");
            }
            byToken.put(fields[0], new Caller(fields[1], Caller.Role.valueOf(fields[2].toUpperCase(Locale.ROOT))));
        }
        return new Tokens(byToken);
    }

    Optional<Caller> caller(String token) {
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        Caller found = null;
        for (Map.Entry<String, Caller> entry : byToken.entrySet()) {
            if (MessageDigest.isEqual(given, entry.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = entry.getValue();
            }
        }
        return Optional.ofNullable(found);
    }
}
