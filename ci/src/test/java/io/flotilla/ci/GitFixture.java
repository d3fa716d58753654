package io.flotilla.ci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A real git repository on this machine for tests, served by its {@code file://} URL, as a forge serves one. */
public final class GitFixture {
    private final Path dir;

    private GitFixture(Path dir) {
        this.dir = dir;
    }

    /** A new, empty repository at {@code dir}. */
    public static GitFixture init(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        GitFixture repository = new GitFixture(dir);
        repository.git("init", "-q", "-b", "main");
        return repository;
    }

    /** Where {@code git fetch} fetches it from. */
    public String cloneUrl() {
        return dir.toUri().toString();
    }

    /** Writes the files (path to content) and commits them all; returns the new commit's sha. */
    public String commit(Map<String, String> files) throws IOException, InterruptedException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        git("add", "-A");
        git("-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "change");
        return git("rev-parse", "HEAD").strip();
    }

    private String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(command + " failed: " + output);
        }
        return output;
    }
}
