package io.flotilla.ci;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Adds a repository to a registration file, as {@code flotilla repo add} does: the entry is appended (so the file's
 * comments and layout stay as they were), the result is read back as a node would read it, and only a file that
 * reads, with one repository more, replaces the old one. Without a secret file of its own, the repository gets a
 * new random secret in {@code secrets/} next to the file, readable by its owner only.
 */
public final class RepositoryRegistrar {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    private RepositoryRegistrar() {
    }

    /** What to register; the optional fields are left out of the entry when empty. */
    public record NewRepository(Forge forge, String name, String cloneUrl, Optional<Path> secretFile,
                                Optional<String> apiUrl, Optional<Path> statusTokenFile,
                                Optional<Path> cloneCredentialsFile, Repository.ForkPolicy forks,
                                Optional<GithubApp> app) {
    }

    /**
     * @return the secret file the repository's webhook is to be given the contents of
     * @throws Repositories.RegistrationException when the result would not read, saying why
     */
    public static Path add(Path file, NewRepository repository) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        int before = Files.exists(file) ? Repositories.read(file).size() : 0;
        Path secret = repository.secretFile().orElseGet(() -> dir.resolve("secrets").resolve(
                repository.forge().key() + "-" + repository.name().replace('/', '-') + ".secret"));
        boolean newSecret = repository.secretFile().isEmpty() && !Files.exists(secret);
        if (newSecret) {
            Files.createDirectories(secret.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            Files.writeString(Files.createFile(secret, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))), HexFormat.of().formatHex(bytes) + "\n");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", repository.name());
        fields.put("forge", repository.forge().key());
        fields.put("secret-file", secret.toString());
        fields.put("clone-url", repository.cloneUrl());
        repository.cloneCredentialsFile().ifPresent(path -> fields.put("clone-credentials-file", path.toString()));
        repository.apiUrl().ifPresent(url -> fields.put("api-url", url));
        repository.statusTokenFile().ifPresent(path -> fields.put("status-token-file", path.toString()));
        fields.put("forks", repository.forks().name().toLowerCase());
        repository.app().ifPresent(app -> {
            fields.put("app-id", Long.toString(app.appId()));
            fields.put("installation-id", Long.toString(app.installationId()));
            fields.put("app-key-file", app.keyFile().toString());
        });
        StringBuilder entry = new StringBuilder("  - ");
        fields.forEach((key, value) -> entry.append(entry.length() > 4 ? "    " : "").append(key).append(": ")
                .append(quoted(value)).append('\n'));
        String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "repositories:\n";
        Path next = dir.resolve("." + file.getFileName() + ".new");
        Files.writeString(next, existing + (existing.endsWith("\n") ? "" : "\n") + entry);
        try {
            int after = Repositories.read(next).size();
            if (after != before + 1) {
                throw new Repositories.RegistrationException(file + ": the entry did not land in its 'repositories' "
                        + "list (is the list not the file's last block?); add it by hand");
            }
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Repositories.RegistrationException e) {
            Files.deleteIfExists(next);
            if (newSecret) {
                Files.delete(secret);
            }
            throw new Repositories.RegistrationException(e.getMessage().replace(next.toString(), file.toString()));
        }
        return secret;
    }

    /** A YAML double-quoted scalar, which is what a JSON string is. */
    private static String quoted(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
