package io.flotilla.http;

import io.flotilla.sandbox.OwnerOnly;
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
 * The bearer tokens a node accepts, read from a file of lines {@code TOKEN USER ROLE[,host-network]} ({@code #}
 * starts a comment), with ROLE {@code read}, {@code submit} or {@code admin}; {@code host-network} lets a submitter's
 * jobs use the host's network (admins always may). The file must be readable by its owner only, as an SSH key must:
 * anyone who reads it is everyone in it. Tokens are compared in constant time.
 */
final class Tokens {
    private static final String HOST_NETWORK = "host-network";

    private final Map<String, Caller> byToken;

    private Tokens(Map<String, Caller> byToken) {
        this.byToken = byToken;
    }

    /**
     * @throws IllegalArgumentException naming the line of the file that cannot be read, or the file when others
     *                                  may read or write it
     */
    static Tokens read(Path file) throws IOException {
        OwnerOnly.requireFile(file, "the tokens file");
        Map<String, Caller> byToken = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length != 3 || !fields[1].matches("[A-Za-z0-9._@-]{1,64}")
                    || !fields[2].matches("(read|submit|admin)(," + HOST_NETWORK + ")?") || fields[0].length() < 16) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": want TOKEN USER ROLE, with a token "
                        + "of 16 characters or more and ROLE read, submit or admin, optionally followed by ,"
                        + HOST_NETWORK);
            }
            String[] role = fields[2].split(",");
            byToken.put(fields[0], new Caller(fields[1], Caller.Role.valueOf(role[0].toUpperCase(Locale.ROOT)),
                    role.length > 1));
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
