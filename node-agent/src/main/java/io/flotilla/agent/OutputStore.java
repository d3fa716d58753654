package io.flotilla.agent;

import io.flotilla.protocol.run.JobAttempt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The whole output of every attempt this node ran, and copies of attempts other nodes ran, so that a job's output
 * outlives the node that ran it. A running attempt's output is read where the sandbox writes it; once the attempt
 * ends, its files move to {@code ROOT/run-RUN/JOB.ATTEMPT.KEY.stdout|stderr}. The random KEY makes the name hard to
 * guess, so that, like a blob's digest, the name alone lets a peer node read the output over HTTP. Every method
 * touches files, so callers run them on a blocking-I/O dispatcher.
 */
public final class OutputStore {
    private static final Pattern NAME = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.([0-9a-f]{32})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final Map<JobAttempt, AttemptOutput> live = new ConcurrentHashMap<>();

    public OutputStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    /** Whether a name could be one this store gives: {@code JOB.ATTEMPT.KEY}. */
    public static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Serves a running attempt's output from the files the sandbox writes. */
    AttemptOutput startLive(JobAttempt attempt, Path stdout, Path stderr) {
        AttemptOutput output = new AttemptOutput(attempt, newKey(), stdout, stderr, false);
        live.put(attempt, output);
        return output;
    }

    /**
     * Moves an ended attempt's output into the store, where it stays; an attempt that printed nothing leaves
     * nothing (its result says so). Returns whether anything was kept.
     */
    boolean keep(AttemptOutput output) throws IOException {
        try {
            if (output.size() == 0) {
                output.deleteAndEnd();
                return false;
            }
            Path dir = Files.createDirectories(runDir(output.attempt().runId()));
            output.moveAndEnd(dir.resolve(output.name() + ".stdout"), dir.resolve(output.name() + ".stderr"));
            return true;
        } finally {
            live.remove(output.attempt(), output);
        }
    }

    /** Stores a copy of an attempt's output that another node ran. */
    AttemptOutput keepCopy(JobAttempt attempt, InputStream stdout, InputStream stderr) throws IOException {
        Path dir = Files.createDirectories(runDir(attempt.runId()));
        String key = newKey();
        String name = attempt.job() + "." + attempt.attempt() + "." + key;
        Path stdoutTemp = Files.createTempFile(dir, ".copy-", "");
        Path stderrTemp = Files.createTempFile(dir, ".copy-", "");
        try {
            Files.copy(stdout, stdoutTemp, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(stderr, stderrTemp, StandardCopyOption.REPLACE_EXISTING);
            AttemptOutput copy = new AttemptOutput(attempt, key, stdoutTemp, stderrTemp, false);
            copy.moveAndEnd(dir.resolve(name + ".stdout"), dir.resolve(name + ".stderr"));
            return copy;
        } finally {
            Files.deleteIfExists(stdoutTemp);
            Files.deleteIfExists(stderrTemp);
        }
    }

    /** The attempt's output, live or kept, if this node has it. */
    public Optional<AttemptOutput> find(JobAttempt attempt) throws IOException {
        AttemptOutput running = live.get(attempt);
        if (running != null) {
            return Optional.of(running);
        }
        Path dir = runDir(attempt.runId());
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        String prefix = attempt.job() + "." + attempt.attempt() + ".";
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(file -> file.startsWith(prefix) && file.endsWith(".stdout"))
                    .findFirst()
                    .flatMap(file -> byName(attempt.runId(), file.substring(0, file.length() - ".stdout".length())));
        }
    }

    /** The output a name from {@link AttemptOutput#name()} stands for, live or kept, if this node has it. */
    public Optional<AttemptOutput> byName(String runId, String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        JobAttempt attempt = new JobAttempt(runId, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        AttemptOutput running = live.get(attempt);
        if (running != null && running.key().equals(m.group(3))) {
            return Optional.of(running);
        }
        Path stdout = runDir(runId).resolve(name + ".stdout");
        if (!Files.isRegularFile(stdout)) { // its stdout is moved last, so a kept output is complete
            return Optional.empty();
        }
        return Optional.of(new AttemptOutput(attempt, m.group(3), stdout, runDir(runId).resolve(name + ".stderr"),
                true));
    }

    /** A directory per run, named so that no run id (not even {@code ..}) can leave the root. */
    private Path runDir(String runId) {
        return root.resolve("run-" + runId.replace('/', '_'));
    }

    private static String newKey() {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        return HexFormat.of().formatHex(key);
    }
}
