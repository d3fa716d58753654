package io.flotilla.ci;

import io.flotilla.protocol.layer.LayerTree;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Fetches one commit of a registered repository with {@code git} (shallow, at exactly its sha) and packs its tree,
 * without {@code .git}, into a deterministic tar layer: the same commit is the same layer digest on every node, so
 * each suite's containers see the same tree, and a node that fetches it again after a failover stores nothing new.
 * The clone credentials go to git in its environment as an HTTP header, never on a command line, in the tree or in a
 * message.
 */
public final class GitCheckout {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_MESSAGE = 2000;

    /** Where a packed layer is kept; the node's blob store. */
    public interface LayerStore {
        /** Stores the tar file and answers its digest, {@code sha256:...}. */
        String put(Path tar) throws IOException;

        /** Whether the store holds the blob. */
        boolean has(String digest);
    }

    /** A fetched commit: its layer, and its {@link PipelineConfig#FILE}, if it has one. */
    public record Fetched(String layer, Optional<byte[]> config) {
    }

    /** Why a commit could not be fetched; the message names it and carries git's own words. */
    public static final class CheckoutException extends Exception {
        CheckoutException(String message) {
            super(message);
        }
    }

    private final Path workDir;
    private final LayerStore store;

    /** @param workDir where checkouts are made and removed again; only this process may read it */
    public GitCheckout(Path workDir, LayerStore store) {
        this.workDir = workDir;
        this.store = store;
    }

    /**
     * Makes sure this node holds the checkout {@code layer} of the commit, fetching it again when not: a new CI inbox
     * after a failover does this, as the node that fetched the commit may be the one that died, and a suite's jobs
     * run again elsewhere look for the layer on the nodes that are left.
     */
    public void ensure(Repository repository, String sha, String layer) throws CheckoutException {
        if (!store.has(layer)) {
            String fetched = fetch(repository, sha).layer();
            if (!fetched.equals(layer)) {
                throw new CheckoutException("fetching " + sha + " of " + repository.name() + " again gave the layer "
                        + fetched + ", not " + layer + ": the commit's tree is not what it was");
            }
        }
    }

    public Fetched fetch(Repository repository, String sha) throws CheckoutException {
        Path dir = null;
        try {
            Files.createDirectories(workDir);
            dir = Files.createTempDirectory(workDir, "checkout-");
            Path tree = dir.resolve("tree");
            git(repository, dir, "init", "-q", tree.toString());
            git(repository, tree, "fetch", "-q", "--depth", "1", "--no-tags", repository.cloneUrl(), sha);
            String fetched = git(repository, tree, "rev-parse", "FETCH_HEAD").strip();
            if (!fetched.equals(sha)) {
                throw new CheckoutException("fetching " + sha + " from " + repository.cloneUrl() + " gave " + fetched);
            }
            git(repository, tree, "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", "FETCH_HEAD");
            Path config = tree.resolve(PipelineConfig.FILE);
            Optional<byte[]> file = Files.isRegularFile(config) ? Optional.of(Files.readAllBytes(config))
                    : Optional.empty();
            delete(tree.resolve(".git"));
            Path tar = dir.resolve("layer.tar");
            try (OutputStream out = Files.newOutputStream(tar)) {
                LayerTree.of(tree).writeTar(out, LayerTree.filesUnder(tree));
            }
            return new Fetched(store.put(tar), file);
        } catch (IOException e) {
            throw new CheckoutException("checking out " + sha + " of " + repository.name() + " failed: "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckoutException("checking out " + sha + " of " + repository.name() + " was interrupted");
        } finally {
            if (dir != null) {
                try {
                    delete(dir);
                } catch (IOException ignored) {
                    // the next sweep of the work directory's parent finds it
                }
            }
        }
    }

    /** Runs git in {@code dir}; its stdout, or the failure with the end of what it printed. */
    private String git(Repository repository, Path dir, String... args)
            throws IOException, InterruptedException, CheckoutException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(workDir, "git-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = builder.environment();
            env.put("GIT_TERMINAL_PROMPT", "0");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("HOME", workDir.toString());
            credentials(repository).ifPresent(header -> {
                env.put("GIT_CONFIG_COUNT", "1");
                env.put("GIT_CONFIG_KEY_0", "http.extraHeader");
                env.put("GIT_CONFIG_VALUE_0", header);
            });
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CheckoutException("git " + args[0] + " of " + repository.name() + " took more than "
                        + TIMEOUT.toMinutes() + " min");
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                String end = printed.strip();
                throw new CheckoutException("git " + args[0] + " of " + repository.name() + " exited with "
                        + process.exitValue() + ": " + (end.length() > MAX_MESSAGE
                        ? "…" + end.substring(end.length() - MAX_MESSAGE) : end));
            }
            return printed;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * The header that carries the registration's clone credentials: the file holds {@code USER:TOKEN}, or a token
     * alone, which goes with the user each forge takes for one.
     */
    private static Optional<String> credentials(Repository repository) throws IOException {
        if (repository.cloneCredentials().isEmpty()) {
            return Optional.empty();
        }
        String given = Files.readString(repository.cloneCredentials().get(), StandardCharsets.UTF_8).strip();
        String pair = given.contains(":") ? given
                : (repository.forge() == Forge.GITHUB ? "x-access-token:" : "oauth2:") + given;
        return Optional.of("Authorization: Basic " + Base64.getEncoder().encodeToString(
                pair.getBytes(StandardCharsets.UTF_8)));
    }

    private static void delete(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(each);
            }
        }
    }
}
