package io.flotilla.ci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The repositories an operator registered, read once from a YAML file (see {@code docs/ci.md}):
 * <pre>
 * repositories:
 *   - name: acme/widgets
 *     forge: github
 *     secret-file: widgets.secret
 *     clone-url: https://github.com/acme/widgets.git
 * </pre>
 * Relative paths are relative to the file. A secret file that other users may read is refused, as ssh refuses such
 * a key: whoever reads it can forge deliveries.
 */
public final class Repositories {
    private static final Set<String> FIELDS = Set.of("name", "forge", "secret-file", "clone-url",
            "clone-credentials-file", "api-url", "status-token-file", "forks", "app-id", "installation-id",
            "app-key-file", "suites");

    private final Map<String, Repository> byKey;

    private Repositories(Map<String, Repository> byKey) {
        this.byKey = byKey;
    }

    /** No repository: every delivery is refused as coming from an unknown repository. */
    public static Repositories none() {
        return new Repositories(Map.of());
    }

    /** @throws RegistrationException naming the entry and field at fault, or the file that cannot be read */
    public static Repositories read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new RegistrationException(file + ": " + e.getMessage());
        }
        JsonNode list = root == null ? null : root.get("repositories");
        if (list == null || !list.isArray()) {
            throw new RegistrationException(file + ": needs a list 'repositories'");
        }
        Map<String, Repository> byKey = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String where = file + ": repositories[" + i + "]";
            Repository repository = repository(list.get(i), where, file.toAbsolutePath().getParent());
            if (byKey.put(key(repository.forge(), repository.name()), repository) != null) {
                throw new RegistrationException(where + ": " + repository.forge().title() + " repository '"
                        + repository.name() + "' is registered twice");
            }
        }
        return new Repositories(byKey);
    }

    /** The registration of a forge's repository, by the name its deliveries give. */
    public Optional<Repository> find(Forge forge, String name) {
        return Optional.ofNullable(byKey.get(key(forge, name)));
    }

    public int size() {
        return byKey.size();
    }

    private static String key(Forge forge, String name) {
        return forge.key() + ":" + name.toLowerCase(Locale.ROOT);
    }

    private static Repository repository(JsonNode entry, String where, Path dir) {
        if (entry == null || !entry.isObject()) {
            throw new RegistrationException(where + ": each repository is a mapping of its fields");
        }
        for (Iterator<String> names = entry.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw new RegistrationException(where + ": unknown field '" + field + "'; the fields are "
                        + new java.util.TreeSet<>(FIELDS));
            }
        }
        String name = text(entry, "name", where).orElseThrow(() -> missing(where, "name"));
        String forgeName = text(entry, "forge", where).orElseThrow(() -> missing(where, "forge"));
        Forge forge = Forge.named(forgeName).orElseThrow(() -> new RegistrationException(where + ": forge '"
                + forgeName + "' is neither github nor gitlab"));
        Path secretFile = text(entry, "secret-file", where).map(dir::resolve)
                .orElseThrow(() -> missing(where, "secret-file"));
        byte[] secret = secret(secretFile, where);
        String cloneUrl = text(entry, "clone-url", where).orElseThrow(() -> missing(where, "clone-url"));
        String forksName = text(entry, "forks", where).orElse("none");
        Repository.ForkPolicy forks = Repository.ForkPolicy.named(forksName).orElseThrow(() ->
                new RegistrationException(where + ": forks '" + forksName + "' is neither none nor run"));
        return new Repository(name, forge, secret, cloneUrl,
                text(entry, "clone-credentials-file", where).map(dir::resolve),
                text(entry, "api-url", where).orElse(forge.defaultApiUrl),
                text(entry, "status-token-file", where).map(dir::resolve), forks, app(entry, forge, where, dir),
                defaultSuites(entry, where));
    }

    /** The suites of a commit without its own file: checked now as that file would be, so a bad list stops here. */
    private static Optional<String> defaultSuites(JsonNode entry, String where) {
        JsonNode suites = entry.get("suites");
        if (suites == null || suites.isNull()) {
            return Optional.empty();
        }
        ObjectNode file = new ObjectMapper().createObjectNode();
        file.set("suites", suites);
        try {
            PipelineConfig.suites(file.toString().getBytes(StandardCharsets.UTF_8), "registration",
                    "sha256:" + "0".repeat(64), false);
        } catch (PipelineConfig.InvalidConfigException e) {
            throw new RegistrationException(where + ": the default " + e.getMessage().substring(
                    PipelineConfig.FILE.length() + 2));
        }
        return Optional.of(file.toString());
    }

    /** The GitHub App installation: all three of its fields, or none; its key must be the owner's and must sign. */
    private static Optional<GithubApp> app(JsonNode entry, Forge forge, String where, Path dir) {
        List<String> fields = List.of("app-id", "installation-id", "app-key-file");
        long given = fields.stream().filter(field -> entry.hasNonNull(field)).count();
        if (given == 0) {
            return Optional.empty();
        }
        if (given < fields.size()) {
            throw new RegistrationException(where + ": a GitHub App needs all of " + fields + ", not only some");
        }
        if (forge != Forge.GITHUB) {
            throw new RegistrationException(where + ": GitHub Apps are GitHub's; a " + forge.title()
                    + " repository reports with status-token-file");
        }
        Path keyFile = dir.resolve(text(entry, "app-key-file", where).orElseThrow());
        ownerOnly(keyFile, where, "app-key-file");
        GithubApp app = new GithubApp(id(entry, "app-id", where), id(entry, "installation-id", where), keyFile);
        try {
            app.jwt(0);
        } catch (GithubApp.InvalidKeyException e) {
            throw new RegistrationException(where + ": " + e.getMessage());
        }
        return Optional.of(app);
    }

    private static long id(JsonNode entry, String field, String where) {
        JsonNode value = entry.get(field);
        String digits = value.asText();
        if (!(value.isIntegralNumber() || value.isTextual()) || !digits.matches("[1-9][0-9]{0,18}")) {
            throw new RegistrationException(where + ": '" + field + "' must be GitHub's number for it, like 123456; "
                    + "got '" + digits + "'");
        }
        return Long.parseLong(digits);
    }

    /** Refuses a file other users may read, as ssh refuses such a key: whoever reads it can act for the owner. */
    private static void ownerOnly(Path file, String where, String field) {
        try {
            Set<PosixFilePermission> others = new HashSet<>(Files.getPosixFilePermissions(file));
            others.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ));
            if (!others.isEmpty()) {
                throw new RegistrationException(where + ": " + field + " " + file + " may be read by other users; "
                        + "chmod 600 it");
            }
        } catch (IOException e) {
            throw new RegistrationException(where + ": cannot read " + field + " " + file + ": " + e.getMessage());
        }
    }

    private static byte[] secret(Path file, String where) {
        ownerOnly(file, where, "secret-file");
        try {
            String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (secret.length() < 16) {
                throw new RegistrationException(where + ": secret-file " + file + " holds a secret of "
                        + secret.length() + " characters; a webhook secret needs at least 16");
            }
            return secret.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistrationException(where + ": cannot read secret-file " + file + ": " + e.getMessage());
        }
    }

    private static Optional<String> text(JsonNode entry, String field, String where) {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new RegistrationException(where + ": '" + field + "' must be a non-empty string");
        }
        return Optional.of(value.asText());
    }

    private static RegistrationException missing(String where, String field) {
        return new RegistrationException(where + ": needs '" + field + "'");
    }

    /** A registration file that cannot be used, with what is wrong and where. */
    public static final class RegistrationException extends RuntimeException {
        RegistrationException(String message) {
            super(message);
        }
    }
}
