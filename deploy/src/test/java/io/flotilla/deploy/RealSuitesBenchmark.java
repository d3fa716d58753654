package io.flotilla.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code bench/run real-suites}: third-party test suites, installed from Debian and Maven Central and written by
 * nobody on this project, run by their own runner and by {@code flotilla test} on the same machine in the same run.
 * Per suite it prints each test whose verdict differs, then {@code RESULT real_<suite>_verdict_diffs N} and
 * {@code RESULT real_<suite>_vs_native X.XX}, Flotilla's makespan over the native runner's, each timed from the
 * command's start to its exit, after one warm-up run of each (Flotilla's warm-up also fills the timing history that
 * orders and groups its jobs).
 * <ul>
 *   <li>{@code networkx}, {@code sympy}: the packages' installed tests ({@code python3-networkx},
 *       {@code python3-sympy}), {@code pytest -n SLOTS --pyargs PKG} against {@code flotilla test pytest -- --pyargs
 *       PKG}; sympy's run names a few subpackages unless {@code sympy=sympy} asks for all of it;</li>
 *   <li>{@code libsoup}, {@code libxmlb}: the installed tests of {@code libsoup-3.0-tests} and {@code libxmlb-tests},
 *       {@code gnome-desktop-testing-runner -p SLOTS} against {@code flotilla test commands} of their
 *       {@code Exec} lines, with {@code --net loopback}: libsoup's tests serve HTTP on loopback;</li>
 *   <li>{@code commons-text}: Apache Commons Text 1.12.0's tests jar with its test dependencies
 *       ({@code bench/real-suites/commons-text/pom.xml}), Maven Surefire ({@code mvn test -DforkCount=SLOTS}) against
 *       {@code flotilla test junit} of the same class path, both with the jar's test resources where the project's
 *       tests look for them, and each test JVM with the machine's memory as its limit, from which it sizes its heap
 *       as Surefire's JVMs do from the machine's.</li>
 * </ul>
 * Arguments: the suites to run, each {@code NAME} or, for a pytest suite, {@code NAME=PKG,PKG...}; none runs them
 * all. Work directories are under {@code target/real-suites}. It never fails on a difference or on speed.
 */
public final class RealSuitesBenchmark {
    private static final List<String> SYMPY_DEFAULT = List.of("sympy.core", "sympy.logic", "sympy.sets",
            "sympy.ntheory", "sympy.printing");
    private static final int DIFFS_PRINTED = 40;
    /** bench/run runs it in the repository's top directory. */
    private static final Path ROOT = Path.of("target", "real-suites").toAbsolutePath();
    private static final Path DISTRIBUTION = Path.of("deploy", "target", "flotilla", "lib").toAbsolutePath();
    private static final int SLOTS = Runtime.getRuntime().availableProcessors();

    /**
     * One suite, prepared: how its own runner runs it and reads its verdicts, and Flotilla's arguments for it.
     *
     * @param flotillaId maps a test of Flotilla's report to the native runner's id for it, or to null when the
     *                   native runner has no such test
     * @param comparable maps a verdict to what the native runner can tell apart
     */
    private record RealSuite(String name, Path workdir, List<String> nativeCommand,
                             Function<String, Map<String, String>> nativeVerdicts, List<String> flotillaArgs,
                             Function<String, String> flotillaId, Function<String, String> comparable) {
    }

    private RealSuitesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> wanted = args.length > 0 ? Arrays.asList(args)
                : List.of("networkx", "sympy", "libsoup", "libxmlb", "commons-text");
        try (EmbeddedCluster cluster = EmbeddedCluster.start(SLOTS)) {
            List<String> results = new ArrayList<>();
            for (String spec : wanted) {
                String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
                List<String> packages = spec.contains("=")
                        ? List.of(spec.substring(spec.indexOf('=') + 1).split(",")) : List.of();
                RealSuite suite = prepare(name, packages);
                results.addAll(compare(suite, cluster.url()));
            }
            results.forEach(System.out::println);
        }
    }

    private static RealSuite prepare(String name, List<String> packages) throws Exception {
        Path workdir = Files.createDirectories(ROOT.resolve(name));
        return switch (name) {
            case "networkx" -> pytest(name, workdir, packages.isEmpty() ? List.of("networkx") : packages);
            case "sympy" -> pytest(name, workdir, packages.isEmpty() ? SYMPY_DEFAULT : packages);
            case "libsoup" -> installedTests(name, workdir, "libsoup-3.0");
            case "libxmlb" -> installedTests(name, workdir, "libxmlb");
            case "commons-text" -> commonsText(workdir);
            default -> throw new IllegalArgumentException("no real suite named '" + name
                    + "': networkx, sympy, libsoup, libxmlb or commons-text");
        };
    }

    /** An installed package's pytest suite, found by {@code --pyargs} from an empty directory. */
    private static RealSuite pytest(String name, Path workdir, List<String> packages) {
        List<String> pytestArgs = new ArrayList<>(List.of("-p", "no:cacheprovider", "--pyargs"));
        pytestArgs.addAll(packages);
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "pytest", "-n",
                Integer.toString(SLOTS), "-v"));
        command.addAll(pytestArgs);
        List<String> flotilla = new ArrayList<>(List.of("--layer", workdir + ":" + workdir, "--timeout", "20m",
                "--memory", "2g", "pytest", "--workdir", workdir.toString(), "--"));
        flotilla.addAll(pytestArgs);
        return new RealSuite(name, workdir, command, output -> RunnerVerdicts.xdist(output, ""), flotilla,
                Function.identity(), Function.identity());
    }

    /** A package's installed tests, in gnome-desktop-testing's format: a {@code .test} file per test. */
    private static RealSuite installedTests(String name, Path workdir, String directory) throws IOException {
        Path tests = Path.of("/usr/share/installed-tests", directory);
        Map<String, String> idOfCommand = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(tests)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".test")).sorted().toList()) {
                Files.readAllLines(file).stream().filter(line -> line.startsWith("Exec=")).findFirst()
                        .ifPresent(exec -> idOfCommand.put(exec.substring(5).trim(),
                                directory + "/" + file.getFileName()));
            }
        }
        List<String> flotilla = new ArrayList<>(List.of("--timeout", "5m", "--memory", "4g", "--net", "loopback",
                "commands", "--workdir", "/tmp"));
        flotilla.addAll(idOfCommand.keySet());
        return new RealSuite(name, workdir, List.of("gnome-desktop-testing-runner", "-p", Integer.toString(SLOTS),
                directory), RunnerVerdicts::gnomeDesktopTesting, flotilla, idOfCommand::get,
                verdict -> verdict.equals("error") ? "failed" : verdict);
    }

    /**
     * Commons Text's tests jar: Maven resolves it and its test dependencies into {@code lib/}, and its test resources
     * go to {@code src/test/resources}, where the project's own tests read some of them as files.
     */
    private static RealSuite commonsText(Path workdir) throws Exception {
        Files.copy(Path.of("bench/real-suites/commons-text/pom.xml"), workdir.resolve("pom.xml"),
                StandardCopyOption.REPLACE_EXISTING);
        Path lib = workdir.resolve("lib");
        run(workdir, List.of("mvn", "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=test",
                "-DoutputDirectory=" + lib));
        Path resources = Files.createDirectories(workdir.resolve("src/test/resources"));
        try (ZipFile jar = new ZipFile(lib.resolve("commons-text-1.12.0-tests.jar").toFile())) {
            for (ZipEntry entry : jar.stream().toList()) {
                if (!entry.isDirectory() && entry.getName().startsWith("org/")
                        && !entry.getName().endsWith(".class")) {
                    Path target = resources.resolve(entry.getName());
                    Files.createDirectories(target.getParent());
                    try (InputStream in = jar.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        // Surefire's JVMs size their heaps from the machine's memory; the test JVMs here get as much, as a limit.
        long machineMemory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        List<String> flotilla = new ArrayList<>(List.of("--layer", workdir + ":" + workdir, "--timeout", "10m",
                "--memory", (machineMemory >> 20) + "m", "junit", "--workdir", workdir.toString()));
        try (Stream<Path> jars = Files.list(lib)) {
            jars.sorted().map(Path::toString).forEach(flotilla::add);
        }
        Path reports = workdir.resolve("target/surefire-reports");
        return new RealSuite("commons-text", workdir, List.of("mvn", "-B", "test", "-DforkCount=" + SLOTS,
                "-Dsurefire.reportsDirectory=" + reports), output -> {
                    try {
                        return RunnerVerdicts.surefire(reports);
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot read Surefire's reports in " + reports, e);
                    }
                }, flotilla, test -> {
                    int hash = test.indexOf('#');
                    return test.substring(0, hash + 1) + RunnerVerdicts.methodName(test.substring(hash + 1));
                }, Function.identity());
    }

    /** Runs the suite both ways, warm-up first, prints the differences; returns its RESULT lines. */
    private static List<String> compare(RealSuite suite, String url) throws Exception {
        Path json = suite.workdir().resolve("flotilla.json");
        List<String> flotilla = new ArrayList<>(List.of("test", "--cluster", url, "--ui", "plain", "--name",
                "real:" + suite.name(), "--json", json.toString()));
        flotilla.addAll(suite.flotillaArgs());
        Path log = suite.workdir().resolve("flotilla.log");
        nativeRun(suite);
        flotilla(flotilla, log);
        long start = System.nanoTime();
        String nativeOutput = nativeRun(suite);
        double nativeSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, String> nativeVerdicts = suite.nativeVerdicts().apply(nativeOutput);
        start = System.nanoTime();
        flotilla(flotilla, log);
        double flotillaSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, String> ours = new TreeMap<>();
        RunnerVerdicts.flotilla(json).forEach((test, verdict) -> ours.merge(
                String.valueOf(suite.flotillaId().apply(test)), suite.comparable().apply(verdict),
                RunnerVerdicts::worse));
        Map<String, String> theirs = new TreeMap<>();
        nativeVerdicts.forEach((test, verdict) -> theirs.put(test, suite.comparable().apply(verdict)));
        TreeSet<String> ids = new TreeSet<>(ours.keySet());
        ids.addAll(theirs.keySet());
        List<String> diffs = ids.stream().filter(id -> !String.valueOf(ours.get(id))
                .equals(String.valueOf(theirs.get(id)))).toList();
        System.out.printf(Locale.ROOT, "%s: %d tests by its own runner in %.1f s (%s), %d by flotilla in %.1f s%n",
                suite.name(), theirs.size(), nativeSeconds, String.join(" ", suite.nativeCommand()), ours.size(),
                flotillaSeconds);
        System.out.printf(Locale.ROOT, "%s: verdicts, its own runner %s; flotilla %s%n", suite.name(),
                counts(theirs), counts(ours));
        diffs.stream().limit(DIFFS_PRINTED).forEach(id -> System.out.printf(Locale.ROOT,
                "%s: differs: %s: its own runner %s, flotilla %s%n", suite.name(), id,
                theirs.getOrDefault(id, "(no verdict)"), ours.getOrDefault(id, "(no verdict)")));
        if (diffs.size() > DIFFS_PRINTED) {
            System.out.printf(Locale.ROOT, "%s: ... and %d more differences%n", suite.name(),
                    diffs.size() - DIFFS_PRINTED);
        }
        String key = suite.name().replace('-', '_');
        return List.of(String.format(Locale.ROOT, "RESULT real_%s_verdict_diffs %d", key, diffs.size()),
                String.format(Locale.ROOT, "RESULT real_%s_vs_native %.2f", key, flotillaSeconds / nativeSeconds));
    }

    private static String counts(Map<String, String> verdicts) {
        Map<String, Integer> counts = new TreeMap<>();
        verdicts.values().forEach(verdict -> counts.merge(verdict, 1, Integer::sum));
        return counts.toString();
    }

    /** The native runner's output; its exit status says only that some test failed, which its verdicts tell. */
    private static String nativeRun(RealSuite suite) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(suite.nativeCommand()).directory(suite.workdir().toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        Files.writeString(suite.workdir().resolve("native.log"), output);
        return output;
    }

    /**
     * Runs {@code flotilla test} as users run it, the built distribution in a JVM of its own, its report to LOG; its
     * exit status says only that some test failed.
     */
    private static void flotilla(List<String> args, Path log) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", DISTRIBUTION + "/*", Main.class.getName()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int status = process.waitFor();
        if (status > 1) {
            throw new IllegalStateException("flotilla " + String.join(" ", args) + " exited " + status + ":\n"
                    + Files.readString(log));
        }
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(command + " failed:\n" + output);
        }
    }
}
