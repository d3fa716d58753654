package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code flotilla exec} as users run it: the built distribution in its own JVM, its stdout, stderr and exit status.
 * Every failure that is not the job's own must be one line on stderr and a status of 124 or more.
 */
class ExecCommandIT {
    private static Path dataDir;
    private static Path work;


    @BeforeAll
    static void dirs() throws IOException {
        dataDir = Files.createTempDirectory("flotilla-cli-data-");
        work = Files.createTempDirectory("flotilla-cli-work-");
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void clean() throws IOException {
        for (Path dir : List.of(dataDir, work)) {
            new ProcessBuilder("rm", "-rf", dir.toString()).start();
        }
    }

    static Distribution.Result exec(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("exec", "--data-dir", dataDir.toString()));
        command.addAll(List.of(args));
        return Distribution.flotilla(work, Map.of(), command);
    }

    static void assertOneLineError(Distribution.Result exec, int status, String text) {
        assertEquals(status, exec.status(), exec.toString());
        assertEquals(1, exec.stderr().lines().count(), "exactly one line on stderr: " + exec);
        assertTrue(exec.stderr().startsWith("flotilla: ") && exec.stderr().contains(text), exec.toString());
    }

    @Test
    void printsTheJobsStdoutAndStderrAndExitsWithItsStatus() throws Exception {
        Distribution.Result exec = exec("--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(new Distribution.Result(3, "out\n", "err\n"), exec);
    }

    @Test
    void optionsShapeTheContainer() throws Exception {
        Files.writeString(work.resolve("input.txt"), "from stdin\n");
        Files.setPosixFilePermissions(work.resolve("input.txt"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Distribution.Result exec = exec("--layer", work + ":/work", "--workdir", "/work", "--env", "GREETING=hi", "--stdin",
                work.resolve("input.txt").toString(), "--hostname", "cli-job", "--",
                "sh", "-c", "echo $GREETING $(hostname) $(pwd); cat; cat input.txt");
        assertEquals(new Distribution.Result(0, "hi cli-job /work\nfrom stdin\nfrom stdin\n", ""), exec);
    }

    @Test
    void aSignalBecomes128PlusItsNumber() throws Exception {
        Distribution.Result exec = exec("--", "python3", "-c", "import ctypes; ctypes.string_at(0)");
        assertOneLineError(exec, 128 + 11, "job killed by signal 11");
    }

    @Test
    void aTimeoutIs124() throws Exception {
        assertOneLineError(exec("--timeout", "300ms", "--", "sleep", "60"), 124, "job timed out after 300 ms");
    }

    @Test
    void theMemoryLimitIs137() throws Exception {
        Distribution.Result exec = exec("--memory", "64m", "--", "python3", "-c", "b = bytearray(1 << 30)");
        assertOneLineError(exec, 137, "job hit its memory limit of 64 MiB");
    }

    @Test
    void truncatedOutputIsSaid() throws Exception {
        Distribution.Result exec = exec("--output-limit", "1k", "--", "head", "-c", "1M", "/dev/zero");
        assertEquals(0, exec.status(), exec.toString());
        assertEquals(1024, exec.stdout().length());
        assertEquals("flotilla: stdout truncated: kept 1 KiB of 1 MiB\n", exec.stderr());
    }

    @Test
    void launchErrorsAre126And127() throws Exception {
        assertOneLineError(exec("--", "no-such-program"), 127, "program not found: no-such-program");
        assertOneLineError(exec("--workdir", "/no/such/dir", "--", "true"), 126, "working directory /no/such/dir");
    }

    @Test
    void badOptionsAre125WithOneClearLine() throws Exception {
        assertOneLineError(exec("--bogus", "--", "true"), 125, "Unknown option: '--bogus'");
        assertOneLineError(exec("--net", "wifi", "--", "true"), 125, "unknown network mode 'wifi'");
        assertOneLineError(exec("--memory", "-5m", "--", "true"), 125, "cannot read size '-5m'");
        assertOneLineError(exec("--memory", "1k", "--", "true"), 125, "memory limit 1024 bytes is outside");
        assertOneLineError(exec("--pids", "0", "--", "true"), 125, "pids must be at least 1, got 0");
        assertOneLineError(exec("--pids", "-3", "--", "true"), 125, "pids must be at least 1, got -3");
        assertOneLineError(exec("--cpus", "100000", "--", "true"), 125, "cpus 100000.0 is outside 0.01 .. 1024");
        assertOneLineError(exec("--timeout", "forever", "--", "true"), 125, "cannot read duration 'forever'");
        assertOneLineError(exec("--layer", "/no/such/dir:/data", "--", "true"), 125,
                "layer host path /no/such/dir does not exist");
        assertOneLineError(exec(), 125, "Missing required parameter");
    }

    @Test
    void aHostileTarLayerIsRefusedWithTheEntryNamed() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tar-src/inner"));
        Path tar = work.resolve("escape.tar");
        Process make = new ProcessBuilder("tar", "-P", "-cf", tar.toString(), "-C", tree.toString(), "../../tar-src")
                .redirectErrorStream(true).start();
        assertEquals(0, make.waitFor());
        assertOneLineError(exec("--tar", tar.toString(), "--", "true"), 125, "has a '..' component");
    }
}
