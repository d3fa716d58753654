package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Repositories added to a registration file: each with a secret of its own, the file's comments kept, and a file
 * that would not read left as it was; and a node's view of the file following its changes.
 */
class RepositoryRegistrarTest {
    @TempDir
    Path dir;

    private static RepositoryRegistrar.NewRepository github(String name) {
        return new RepositoryRegistrar.NewRepository(Forge.GITHUB, name, "https://github.com/" + name + ".git",
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Repository.ForkPolicy.NONE,
                Optional.empty());
    }

    @Test
    void eachRepositoryGetsANewOwnerOnlySecretAndTheFileKeepsItsComments() throws Exception {
        Path file = dir.resolve("repositories.yml");
        Path secret = RepositoryRegistrar.add(file, github("acme/widgets"));
        assertEquals(dir.resolve("secrets/github-acme-widgets.secret"), secret);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret.getParent())));
        Files.writeString(file, "# our repositories\n" + Files.readString(file));
        RepositoryRegistrar.add(file, new RepositoryRegistrar.NewRepository(Forge.GITLAB, "group/sub \"odd\"",
                "https://gitlab.example.com/x.git", Optional.empty(), Optional.of("https://gitlab.example.com/api/v4"),
                Optional.empty(), Optional.empty(), Repository.ForkPolicy.RUN, Optional.empty()));
        Repositories read = Repositories.read(file);
        assertEquals(2, read.size());
        Repository gitlab = read.find(Forge.GITLAB, "group/sub \"odd\"").orElseThrow();
        assertEquals(Repository.ForkPolicy.RUN, gitlab.forks());
        assertEquals(64, gitlab.secret().length, "32 random bytes, in hex");
        assertFalse(new String(gitlab.secret()).equals(new String(read.find(Forge.GITHUB, "acme/widgets")
                .orElseThrow().secret())));
        assertTrue(Files.readString(file).startsWith("# our repositories\n"));
    }

    @Test
    void aRegistrationThatWouldNotReadLeavesTheFileAndNoNewSecret() throws Exception {
        Path file = dir.resolve("repositories.yml");
        RepositoryRegistrar.add(file, github("acme/widgets"));
        String before = Files.readString(file);
        String twice = assertThrows(Repositories.RegistrationException.class,
                () -> RepositoryRegistrar.add(file, github("ACME/widgets"))).getMessage();
        assertTrue(twice.contains(file + ": repositories[1]: GitHub repository 'ACME/widgets' is registered twice"),
                twice);
        Files.writeString(file, before + "other:\n");
        String notLast = assertThrows(Repositories.RegistrationException.class,
                () -> RepositoryRegistrar.add(file, github("acme/gadgets"))).getMessage();
        assertTrue(notLast.contains("did not land in its 'repositories' list"), notLast);
        assertEquals(before + "other:\n", Files.readString(file));
        assertFalse(Files.exists(dir.resolve("secrets/github-acme-gadgets.secret")));
        try (var left = Files.list(dir)) {
            assertEquals(2, left.count(), "the file and secrets/, no half-written file");
        }
    }

    @Test
    void aNodesViewFollowsTheFileAndKeepsTheLastGoodOneWhenAnEditBreaksIt() throws Exception {
        Path file = dir.resolve("repositories.yml");
        RepositoryRegistrar.add(file, github("acme/widgets"));
        RepositoriesFile view = RepositoriesFile.open(file);
        assertEquals(1, view.get().size());
        RepositoryRegistrar.add(file, github("acme/gadgets"));
        assertTrue(view.get().find(Forge.GITHUB, "acme/gadgets").isPresent(), "read again on change");
        Files.writeString(file, Files.readString(file) + "  - name: broken\n");
        assertEquals(2, view.get().size(), "the last good registrations");
        Files.delete(file);
        assertEquals(2, view.get().size());
    }

    @Test
    void aGithubAppIsRegisteredWithItsKeyAndAnAppThatWouldNotSignIsNot() throws Exception {
        Path file = dir.resolve("repositories.yml");
        Path key = GithubAppFixture.serve(new StubForge()).writeKey(dir.resolve("app.pem"), true);
        GithubApp app = new GithubApp(4242, 777, key);
        RepositoryRegistrar.add(file, new RepositoryRegistrar.NewRepository(Forge.GITHUB, "acme/widgets",
                "https://github.com/acme/widgets.git", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Repository.ForkPolicy.NONE, Optional.of(app)));
        assertEquals(Optional.of(app), Repositories.read(file).find(Forge.GITHUB, "acme/widgets").orElseThrow().app());
        String before = Files.readString(file);
        String unsigned = assertThrows(Repositories.RegistrationException.class, () -> RepositoryRegistrar.add(file,
                new RepositoryRegistrar.NewRepository(Forge.GITHUB, "acme/gadgets", "https://github.com/acme/g.git",
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                        Repository.ForkPolicy.NONE, Optional.of(new GithubApp(1, 2, dir.resolve("none.pem"))))))
                .getMessage();
        assertTrue(unsigned.contains(file + ": repositories[1]: ") && unsigned.contains("none.pem"), unsigned);
        assertEquals(before, Files.readString(file));
        assertFalse(Files.exists(dir.resolve("secrets/github-acme-gadgets.secret")), "its new secret went with it");
    }
}
