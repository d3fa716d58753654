package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registration file read, or refused with the entry and field at fault; secrets never show. */
class RepositoriesTest {
    @TempDir
    Path dir;

    @Test
    void readsEachForgesRepositoriesWithTheirDefaultsAndShowsNoSecret() throws Exception {
        Repositories repositories = Repositories.read(TestRepositories.write(dir, "run"));
        assertEquals(2, repositories.size());
        Repository github = repositories.find(Forge.GITHUB, "ACME/Widgets").orElseThrow();
        assertEquals("https://api.github.com", github.apiUrl());
        assertEquals(Repository.ForkPolicy.RUN, github.forks());
        assertEquals(TestRepositories.GITHUB_SECRET, new String(github.secret(), StandardCharsets.UTF_8));
        assertFalse(github.toString().contains(TestRepositories.GITHUB_SECRET), github.toString());
        assertTrue(repositories.find(Forge.GITLAB, "acme/widgets").isEmpty(), "a name is per forge");
        assertEquals("https://gitlab.example.com/api/v4",
                repositories.find(Forge.GITLAB, "group/sub/gadgets").orElseThrow().apiUrl());
    }

    private String refusal(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yml"), yaml);
        return assertThrows(Repositories.RegistrationException.class, () -> Repositories.read(file)).getMessage();
    }

    @Test
    void aBadRegistrationNamesItsEntryAndField() throws Exception {
        TestRepositories.secret(dir.resolve("ok.secret"), "a-secret-long-enough");
        Files.writeString(dir.resolve("short.secret"), "short");
        Files.setPosixFilePermissions(dir.resolve("short.secret"), PosixFilePermissions.fromString("rw-------"));
        Files.writeString(dir.resolve("open.secret"), "a-secret-long-enough");
        Files.setPosixFilePermissions(dir.resolve("open.secret"), PosixFilePermissions.fromString("rw-r--r--"));
        String entry = "repositories:\n  - name: a/b\n    forge: github\n    clone-url: https://x/a/b.git\n";
        assertTrue(refusal("repos: []\n").contains("needs a list 'repositories'"));
        assertTrue(refusal(entry).contains("repositories[0]: needs 'secret-file'"));
        assertTrue(refusal(entry + "    secret-file: open.secret\n").contains("may be read by other users"));
        assertTrue(refusal(entry + "    secret-file: short.secret\n").contains("at least 16"));
        assertTrue(refusal(entry + "    secret-file: missing.secret\n").contains("cannot read secret-file"));
        assertTrue(refusal(entry.replace("github", "bitbucket") + "    secret-file: ok.secret\n")
                .contains("forge 'bitbucket' is neither github nor gitlab"));
        assertTrue(refusal(entry + "    secret-file: ok.secret\n    token: x\n").contains("unknown field 'token'"));
        String twice = refusal(entry + "    secret-file: ok.secret\n" + entry.substring("repositories:\n".length())
                + "    secret-file: ok.secret\n");
        assertTrue(twice.contains("repositories[1]: GitHub repository 'a/b' is registered twice"), twice);
        assertTrue(refusal("repositories: [\n").contains("bad.yml"));
    }

    @Test
    void aGithubAppNeedsAllItsFieldsAndAKeyOnlyItsOwnerReadsThatSigns() throws Exception {
        TestRepositories.secret(dir.resolve("ok.secret"), "a-secret-long-enough");
        GithubAppFixture app = GithubAppFixture.serve(new StubForge());
        app.writeKey(dir.resolve("pkcs1.pem"), true);
        app.writeKey(dir.resolve("pkcs8.pem"), false);
        Files.writeString(dir.resolve("open.pem"), Files.readString(dir.resolve("pkcs1.pem")));
        Files.setPosixFilePermissions(dir.resolve("open.pem"), PosixFilePermissions.fromString("rw-r-----"));
        TestRepositories.secret(dir.resolve("garbage.pem"), "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n"
                + "-----END RSA PRIVATE KEY-----");
        TestRepositories.secret(dir.resolve("encrypted.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                + "-----END ENCRYPTED PRIVATE KEY-----");
        String entry = "repositories:\n  - {name: a/b, forge: github, clone-url: \"https://x/a/b.git\", "
                + "secret-file: ok.secret, ";
        for (String key : new String[] {"pkcs1.pem", "pkcs8.pem"}) {
            Path file = Files.writeString(dir.resolve("app.yml"), entry + "app-id: 4242, installation-id: \"777\", "
                    + "app-key-file: " + key + "}\n");
            Repository repository = Repositories.read(file).find(Forge.GITHUB, "a/b").orElseThrow();
            GithubApp read = repository.app().orElseThrow();
            assertEquals(new GithubApp(4242, 777, dir.resolve(key)), read);
            assertTrue(app.verifies(read.jwt(java.time.Instant.now().getEpochSecond())), key);
            assertTrue(repository.toString().endsWith(", app 4242 installation 777]"), repository.toString());
        }
        String some = refusal(entry + "app-id: 4242, app-key-file: pkcs1.pem}\n");
        assertTrue(some.contains("repositories[0]: a GitHub App needs all of [app-id, installation-id, "
                + "app-key-file], not only some"), some);
        String gitlab = refusal(entry.replace("github", "gitlab") + "app-id: 1, installation-id: 2, "
                + "app-key-file: pkcs1.pem}\n");
        assertTrue(gitlab.contains("GitHub Apps are GitHub's; a GitLab repository reports with status-token-file"),
                gitlab);
        String number = refusal(entry + "app-id: forty, installation-id: 2, app-key-file: pkcs1.pem}\n");
        assertTrue(number.contains("'app-id' must be GitHub's number for it, like 123456; got 'forty'"), number);
        assertTrue(refusal(entry + "app-id: 1, installation-id: 2, app-key-file: open.pem}\n")
                .contains("app-key-file " + dir.resolve("open.pem") + " may be read by other users; chmod 600 it"));
        String garbage = refusal(entry + "app-id: 1, installation-id: 2, app-key-file: garbage.pem}\n");
        assertTrue(garbage.contains("app-key-file " + dir.resolve("garbage.pem") + " holds no RSA private key"),
                garbage);
        String encrypted = refusal(entry + "app-id: 1, installation-id: 2, app-key-file: encrypted.pem}\n");
        assertTrue(encrypted.contains("holds no PEM private key") && encrypted.contains("decrypted first"),
                encrypted);
    }

    @Test
    void defaultSuitesAreCheckedAsTheFileWouldBe() throws Exception {
        TestRepositories.secret(dir.resolve("ok.secret"), "a-secret-long-enough");
        String entry = "repositories:\n  - {name: a/b, forge: gitlab, clone-url: \"https://x/a/b.git\", "
                + "secret-file: ok.secret, ";
        Path file = Files.writeString(dir.resolve("defaults.yml"), entry + "suites: [{name: unit, kind: pytest, "
                + "targets: [tests], retries: 1}]}\n");
        String defaults = Repositories.read(file).find(Forge.GITLAB, "a/b").orElseThrow().defaultSuites()
                .orElseThrow();
        List<CommitSuite> planned = PipelineConfig.suites(defaults.getBytes(StandardCharsets.UTF_8), "k",
                "sha256:" + "1".repeat(64), false);
        assertEquals(List.of("unit"), planned.stream().map(CommitSuite::name).toList());
        assertTrue(planned.get(0).body().contains("\"retries\":1"), planned.get(0).body());
        String twice = refusal(entry + "suites: [{name: unit, kind: pytest}, {name: unit, kind: ctest}]}\n");
        assertTrue(twice.contains("repositories[0]: the default suites[1].name 'unit' is the name of an earlier "
                + "suite"), twice);
        assertTrue(refusal(entry + "suites: []}\n").contains("repositories[0]: the default 'suites' must be a "
                + "list of 1 to 32 suites"));
    }
}
