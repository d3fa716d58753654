package io.flotilla.agent;

import io.flotilla.protocol.run.JobAttempt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The whole output of every attempt this node ran, and copies of attempts other nodes ran, so that a job's output
 * outlives the node that ran it. A running attempt's output is read where the sandbox writes it; once the attempt
 * ends, its files move to {@code ROOT/run-RUN/JOB.ATTEMPT.stdout|stderr}, found again in one step however many a run
 * has. Peers read an output over HTTP by its name, {@code JOB.ATTEMPT.KEY}: KEY is an HMAC of the attempt under this
 * node's own secret (kept in the store, so it outlives a restart), so that, like a blob's digest, only a name this
 * node gave out reads anything. Every method touches files, so callers run them on a blocking-I/O dispatcher.
 */
public final class OutputStore {
    private static final Pattern NAME = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.([0-9a-f]{32})");
    private static final String SECRET_FILE = ".secret";

    private final Path root;
    private final byte[] secret;
    private final Map<JobAttempt, AttemptOutput> live = new ConcurrentHashMap<>();

    public OutputStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        this.secret = secret(root.resolve(SECRET_FILE));
    }

    /** Serves a running attempt's output from the files the sandbox writes. */
    AttemptOutput startLive(JobAttempt attempt, Path stdout, Path stderr) {
        AttemptOutput output = new AttemptOutput(attempt, key(attempt), stdout, stderr, false);
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
            Files.createDirectories(runDir(output.attempt().runId()));
            output.moveAndEnd(file(output.attempt(), ".stdout"), file(output.attempt(), ".stderr"));
            return true;
        } finally {
            live.remove(output.attempt(), output);
        }
    }

    /**
     * Throws away an ended attempt's output. A suite's listing step is job 0 of its run until the run expands into
     * the tests' jobs, whose job 0 must not find it; its listing went to the scheduler's journal whole.
     */
    void discard(AttemptOutput output) throws IOException {
        try {
            output.deleteAndEnd();
        } finally {
            live.remove(output.attempt(), output);
        }
    }

    /** Stores a copy of an attempt's output that another node ran. */
    void keepCopy(JobAttempt attempt, InputStream stdout, InputStream stderr) throws IOException {
        Path dir = Files.createDirectories(runDir(attempt.runId()));
        Path stdoutTemp = Files.createTempFile(dir, ".copy-", "");
        Path stderrTemp = Files.createTempFile(dir, ".copy-", "");
        try {
            Files.copy(stdout, stdoutTemp, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(stderr, stderrTemp, StandardCopyOption.REPLACE_EXISTING);
            // stderr first: a complete stdout file marks a complete copy
            Files.move(stderrTemp, file(attempt, ".stderr"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(stdoutTemp, file(attempt, ".stdout"), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(stdoutTemp);
            Files.deleteIfExists(stderrTemp);
        }
    }

    /** The attempt's output, live or kept, if this node has it. */
    public Optional<AttemptOutput> find(JobAttempt attempt) {
        AttemptOutput running = live.get(attempt);
        if (running != null) {
            return Optional.of(running);
        }
        Path stdout = file(attempt, ".stdout");
        return Files.isRegularFile(stdout) ? Optional.of(new AttemptOutput(attempt, key(attempt), stdout,
                file(attempt, ".stderr"), true)) : Optional.empty();
    }

    /** The output a name from {@link AttemptOutput#name()} stands for, if this node gave out that name and has it. */
    public Optional<AttemptOutput> byName(String runId, String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        JobAttempt attempt = new JobAttempt(runId, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        boolean ours = MessageDigest.isEqual(key(attempt).getBytes(StandardCharsets.US_ASCII),
                m.group(3).getBytes(StandardCharsets.US_ASCII));
        return ours ? find(attempt) : Optional.empty();
    }

    /** Each run's directory of kept output, for a sweep to weigh. */
    List<Path> runDirs() throws IOException {
        try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(dir -> dir.getFileName().toString().startsWith("run-") && Files.isDirectory(dir))
                    .toList();
        }
    }

    /** A directory per run, named so that no run id (not even {@code ..}) can leave the root. */
    private Path runDir(String runId) {
        return root.resolve("run-" + runId.replace('/', '_'));
    }

    private Path file(JobAttempt attempt, String suffix) {
        return runDir(attempt.runId()).resolve(attempt.job() + "." + attempt.attempt() + suffix);
    }

    private String key(JobAttempt attempt) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] mac = hmac.doFinal((attempt.runId() + "/" + attempt.job() + "/" + attempt.attempt())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This store's secret: read, or made once and kept readable only by this user. */
    private static byte[] secret(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path temp = Files.createTempFile(file.getParent(), ".secret-", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, fresh);
            try {
                Files.move(temp, file); // two stores opening the directory at once agree on the first
            } catch (FileAlreadyExistsException lost) {
                Files.delete(temp);
            }
        }
        return Files.readAllBytes(file);
    }
}
