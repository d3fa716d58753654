package io.flotilla.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bench/run suites}: {@code flotilla test} against each suite's own parallel runner, on the same machine and
 * in the same run, timed from the command's start to its exit. The command runs in this JVM against an embedded
 * node with one slot per processor, after one warm-up run of each kind.
 * <ul>
 *   <li>a pytest suite of 200 tests in 20 files, per-file isolation, against {@code pytest -n SLOTS} (xdist); for
 *       comparison, also in one shard per slot, as xdist runs it;</li>
 *   <li>a ctest suite of 200 small C tests, per-test isolation, against {@code ctest -jSLOTS};</li>
 *   <li>REPEATS runs of one small C test, {@code flotilla test exec --repeat}, against a shell loop that runs it
 *       as often.</li>
 * </ul>
 * It prints the times and, last, the three ratios; it never fails on speed.
 *
 * <p>Arguments: [REPEATS], default 100000. The fixtures are built under {@code target/bench-suites}.
 */
public final class SuitesBenchmark {
    private SuitesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int slots = Runtime.getRuntime().availableProcessors();
        Path root = Path.of("target", "bench-suites").toAbsolutePath();
        Path pytest = pytestSuite(root.resolve("pytest"));
        Path ctest = ctestSuite(root.resolve("ctest"), root.resolve("t.c"));
        String layer = root + ":" + root;
        try (EmbeddedCluster cluster = EmbeddedCluster.start(slots)) {
            String url = cluster.url();
            // One file per container, as the figure says: the warm-up's history would otherwise pack the 20 files.
            List<String> pytestArgs = List.of("test", "--cluster", url, "--ui", "plain", "--layer", layer, "pytest",
                    "--workdir", pytest.toString(), "--group-time", "0");
            List<String> ctestArgs = List.of("test", "--cluster", url, "--ui", "plain", "--layer", layer, "ctest",
                    "--workdir", ctest.toString());
            String binary = ctest.resolve("t").toString();
            String xdistCommand = "/usr/bin/python3 -m pytest -q -p no:cacheprovider -n " + slots;
            String ctestCommand = "ctest -j" + slots + " --output-on-failure >/dev/null";
            // The native runners first, each warmed up: what they write (pytest's byte code, ctest's logs) is then
            // in the layer that flotilla uploads once, in its own warm-up.
            shell(pytest, xdistCommand);
            double xdist = seconds(() -> shell(pytest, xdistCommand));
            shell(ctest, ctestCommand);
            double ctestJ = seconds(() -> shell(ctest, ctestCommand));
            double loop = seconds(() -> shell(ctest, "i=0; while [ $i -lt " + repeats + " ]; do " + binary
                    + " || exit 1; i=$((i+1)); done"));
            flotilla(pytestArgs);
            flotilla(ctestArgs);
            double pytestFlotilla = seconds(() -> flotilla(pytestArgs));
            List<String> pytestShards = new ArrayList<>(pytestArgs);
            pytestShards.addAll(List.of("--isolation", "shard", "--shard-size", Integer.toString(200 / slots)));
            double pytestShard = seconds(() -> flotilla(pytestShards));
            double ctestFlotilla = seconds(() -> flotilla(ctestArgs));
            List<String> repeatArgs = List.of("test", "--cluster", url, "--ui", "plain", "--layer", layer, "exec",
                    "--repeat", Integer.toString(repeats), binary);
            double repeat = seconds(() -> flotilla(repeatArgs));
            System.out.printf(Locale.ROOT, "slots: %d%n", slots);
            System.out.printf(Locale.ROOT, "pytest, 200 tests:     flotilla per file %6.2f s, pytest -n %d %6.2f s%n",
                    pytestFlotilla, slots, xdist);
            System.out.printf(Locale.ROOT, "pytest, 200 tests:     flotilla in %d shards %6.2f s (for comparison)%n",
                    slots, pytestShard);
            System.out.printf(Locale.ROOT, "ctest, 200 C tests:    flotilla per test %6.2f s, ctest -j%d   %6.2f s%n",
                    ctestFlotilla, slots, ctestJ);
            System.out.printf(Locale.ROOT, "%d repeats of a C test: flotilla %6.2f s (%.0f/s), shell loop %6.2f s%n",
                    repeats, repeat, repeats / repeat, loop);
            System.out.printf(Locale.ROOT, "RESULT pytest_vs_xdist %.2f%n", pytestFlotilla / xdist);
            System.out.printf(Locale.ROOT, "RESULT ctest_vs_ctest_j2 %.2f%n", ctestFlotilla / ctestJ);
            System.out.printf(Locale.ROOT, "RESULT repeat_vs_shell_loop %.2f%n", repeat / loop);
        }
    }

    private static double seconds(Callable<Integer> work) throws Exception {
        long start = System.nanoTime();
        int status = work.call();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status != 0) {
            throw new IllegalStateException("a benchmarked command exited " + status);
        }
        return seconds;
    }

    private static int flotilla(List<String> args) {
        StringWriter err = new StringWriter();
        int status = Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
                .execute(args.toArray(String[]::new));
        if (status != 0) {
            System.err.print(err);
        }
        return status;
    }

    private static int shell(Path dir, String script) throws IOException, InterruptedException {
        return new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).inheritIO()
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** 20 files of 10 quick tests each. */
    private static Path pytestSuite(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int file = 0; file < 20; file++) {
            StringBuilder tests = new StringBuilder();
            for (int test = 0; test < 10; test++) {
                tests.append("def test_").append(test).append("():\n    assert sum(range(").append(1000 + test)
                        .append(")) > 0\n\n\n");
            }
            Files.writeString(dir.resolve("test_" + file + ".py"), tests.toString());
        }
        return dir;
    }

    /** A CMake project of 200 tests of one small C program, configured and built. */
    private static Path ctestSuite(Path dir, Path source) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(source, "int main(int argc, char **argv) { return argc > 1 && argv[1][0] == 'f'; }\n");
        StringBuilder cmake = new StringBuilder("cmake_minimum_required(VERSION 3.13)\nproject(bench C)\n"
                + "enable_testing()\nadd_executable(t " + source + ")\n");
        for (int test = 0; test < 200; test++) {
            cmake.append("add_test(NAME t").append(test).append(" COMMAND t pass)\n");
        }
        Path project = Files.createDirectories(dir.resolveSibling("ctest-project"));
        Files.writeString(project.resolve("CMakeLists.txt"), cmake.toString());
        List<List<String>> steps = new ArrayList<>(List.of(List.of("cmake", "-S", project.toString(), "-B",
                dir.toString()), List.of("cmake", "--build", dir.toString())));
        for (List<String> step : steps) {
            Process process = new ProcessBuilder(step).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException(step + " failed");
            }
        }
        return dir;
    }
}
