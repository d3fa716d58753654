package io.flotilla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The small project {@code flotilla demo} tests: C tests (one with a real bug, one flaky) built here with gcc, and
 * shell tests that check the container they run in. Its files ship in the command's resources.
 */
final class DemoProject {
    /** Where the project is mounted in each test's container. */
    static final String MOUNT = "/demo";
    static final String FLAKY = "flaky_test";

    private static final List<String> C_TESTS = List.of("math_test", "sort_test", "overflow_test", FLAKY);
    private static final List<String> SHELL_TESTS = List.of("isolation_test.sh", "readonly_test.sh",
            "slow_test.sh");

    private DemoProject() {
    }

    /** Writes the sources into {@code dir} and compiles the C tests into {@code dir/bin}. */
    static void build(Path dir) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String test : C_TESTS) {
            Path source = copy(test + ".c", dir);
            Process gcc;
            try {
                gcc = new ProcessBuilder("gcc", "-O2", "-o", bin.resolve(test).toString(), source.toString())
                        .redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new UsageException("the demo builds its C tests with gcc, which could not run: "
                        + e.getMessage());
            }
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed on " + test + ".c: " + output);
            }
        }
        for (String test : SHELL_TESTS) {
            copy(test, dir);
        }
    }

    /** Each test's command line inside the container, by test name. */
    static List<List<String>> commands() {
        List<List<String>> commands = new ArrayList<>();
        C_TESTS.forEach(test -> commands.add(List.of(MOUNT + "/bin/" + test)));
        SHELL_TESTS.forEach(test -> commands.add(List.of("sh", MOUNT + "/" + test)));
        return commands;
    }

    private static Path copy(String resource, Path dir) throws IOException {
        try (InputStream in = DemoProject.class.getResourceAsStream("demo/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("the demo's " + resource + " is missing from the distribution");
            }
            Path file = dir.resolve(resource);
            Files.copy(in, file);
            return file;
        }
    }
}
