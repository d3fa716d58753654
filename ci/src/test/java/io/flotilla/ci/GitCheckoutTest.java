package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit fetched with real git from a {@code file://} repository: exactly its sha, its tree without {@code .git},
 * the same layer every time, its {@code .flotilla.yml} read; and what a fetch that cannot be comes to.
 */
class GitCheckoutTest {
    @TempDir
    Path dir;

    private final List<byte[]> stored = new ArrayList<>();

    private GitCheckout checkout() {
        return new GitCheckout(dir.resolve("work"), new GitCheckout.LayerStore() {
            @Override
            public String put(Path tar) throws IOException {
                stored.add(Files.readAllBytes(tar));
                return "layer-" + Arrays.hashCode(stored.get(stored.size() - 1));
            }

            @Override
            public boolean has(String digest) {
                return stored.stream().anyMatch(bytes -> digest.equals("layer-" + Arrays.hashCode(bytes)));
            }
        });
    }

    private static Repository repository(String cloneUrl, Optional<Path> credentials) {
        return new Repository("acme/widgets", Forge.GITHUB, new byte[16], cloneUrl, credentials,
                Forge.GITHUB.defaultApiUrl, Optional.empty(), Repository.ForkPolicy.NONE, Optional.empty(),
                Optional.empty());
    }

    private static String tarNames(byte[] tar) throws IOException, InterruptedException {
        Process list = new ProcessBuilder("tar", "-t").start();
        list.getOutputStream().write(tar);
        list.getOutputStream().close();
        String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor());
        return names;
    }

    @Test
    void aCommitIsFetchedAtItsShaIntoTheSameLayerEveryTimeWithoutGit() throws Exception {
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        String first = origin.commit(Map.of("tests/test_a.py", "def test_a():\n    pass\n",
                ".flotilla.yml", "suites: [{name: unit, kind: pytest}]\n"));
        origin.commit(Map.of("tests/test_b.py", "def test_b():\n    pass\n"));
        Repository repository = repository(origin.cloneUrl(), Optional.empty());
        GitCheckout.Fetched fetched = checkout().fetch(repository, first);
        assertEquals("suites: [{name: unit, kind: pytest}]\n",
                new String(fetched.config().orElseThrow(), StandardCharsets.UTF_8));
        String names = tarNames(stored.get(0));
        assertTrue(names.contains("tests/test_a.py"), names);
        assertFalse(names.contains("test_b.py"), "the later commit is not in it: " + names);
        assertFalse(names.contains(".git/"), "no .git, so nothing of the fetch reaches a job: " + names);
        GitCheckout again = checkout();
        again.fetch(repository, first);
        assertTrue(Arrays.equals(stored.get(0), stored.get(1)), "the same commit is the same layer");
        again.ensure(repository, first, fetched.layer());
        assertEquals(2, stored.size(), "a layer the store holds is not fetched again");
        stored.clear();
        again.ensure(repository, first, fetched.layer());
        assertEquals(1, stored.size(), "a layer the store lost is fetched again, into the same layer");
        try (var left = Files.list(dir.resolve("work"))) {
            assertEquals(0, left.count(), "the checkout is removed once packed");
        }
    }

    @Test
    void aCommitWithoutTheFileHasNoConfig() throws Exception {
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        String sha = origin.commit(Map.of("README", "hello\n"));
        assertTrue(checkout().fetch(repository(origin.cloneUrl(), Optional.empty()), sha).config().isEmpty());
    }

    @Test
    void aFetchThatCannotBeSaysWhyWithGitsOwnWordsAndNoCredentials() throws Exception {
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        origin.commit(Map.of("README", "hello\n"));
        Path credentials = Files.writeString(dir.resolve("clone.token"), "very-secret-clone-token\n");
        GitCheckout.CheckoutException missing = assertThrows(GitCheckout.CheckoutException.class,
                () -> checkout().fetch(repository(origin.cloneUrl(), Optional.of(credentials)), "0".repeat(40)));
        assertTrue(missing.getMessage().startsWith("git fetch of acme/widgets exited with 128: "),
                missing.getMessage());
        assertTrue(missing.getMessage().contains("0".repeat(40)), missing.getMessage());
        assertFalse(missing.getMessage().contains("very-secret"), missing.getMessage());
        GitCheckout.CheckoutException nowhere = assertThrows(GitCheckout.CheckoutException.class,
                () -> checkout().fetch(repository(dir.resolve("absent").toUri().toString(), Optional.empty()),
                        "1".repeat(40)));
        assertTrue(nowhere.getMessage().contains("exited with 128"), nowhere.getMessage());
        assertTrue(stored.isEmpty(), "nothing stored");
    }
}
