package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code flotilla test} on the fixture suites under {@code src/test/resources/suites}, built here with the real
 * tools (gcc, cmake, GoogleTest, pytest) and run on a real node over HTTP, each test in its own container. The
 * fixtures are built under {@code target/} and mounted as a layer at the same path, where ctest's listing names them.
 */
class SuitesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRASH_PY = "exec python3 -c \"import ctypes; ctypes.string_at(0)\"";
    private static Path work;
    private static Path fixtures;
    private static EmbeddedCluster server;
    private static List<String> junitClassPath;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("flotilla-suites-it-");
        fixtures = Path.of("target", "suites").toAbsolutePath();
        run(List.of("rm", "-rf", fixtures.toString()), Path.of("."));
        Path sources = Path.of("src", "test", "resources", "suites").toAbsolutePath();
        Files.createDirectories(fixtures.resolve("exec"));
        Files.createDirectories(fixtures.resolve("onepercent"));
        for (String mode : List.of("pass", "fail", "skip", "hang", "crash")) {
            run(List.of("gcc", "-O0", "-o", fixtures.resolve("exec/t_" + mode).toString(),
                    sources.resolve("c/t.c").toString()), fixtures);
        }
        run(List.of("gcc", "-O0", "-o", fixtures.resolve("onepercent/t_onepercent").toString(),
                sources.resolve("c/t.c").toString()), fixtures);
        Path ctest = Files.createDirectories(fixtures.resolve("ctest"));
        run(List.of("cmake", "-S", sources.resolve("ctest").toString(), "-B", ctest.toString(),
                "-DSOURCE_DIR=" + sources.resolve("c")), fixtures);
        run(List.of("cmake", "--build", ctest.toString()), fixtures);
        // As in a developer's build directory, ctest has run here before: its listing then writes logs beside it.
        run(List.of("ctest", "-R", "^passes$"), ctest);
        Files.createDirectories(fixtures.resolve("gtest"));
        run(List.of("g++", "-O0", "-o", fixtures.resolve("gtest/t").toString(), sources.resolve("gtest/t.cc")
                .toString(), "-lgtest", "-lgtest_main", "-pthread"), fixtures);
        Path pytest = Files.createDirectories(fixtures.resolve("pytest"));
        try (Stream<Path> files = Files.list(sources.resolve("pytest"))) {
            for (Path file : files.toList()) {
                Files.copy(file, pytest.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        run(List.of("cp", "-r", sources.resolve("pytest-layouts").toString(), fixtures.toString()), fixtures);
        buildJUnitFixture(sources.resolve("junit"), fixtures.resolve("junit"));
        Path broken = Files.createDirectories(fixtures.resolve("broken"));
        Files.writeString(broken.resolve("test_broken.py"), "def test_(:\n");
        server = EmbeddedCluster.start(2);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        run(List.of("rm", "-rf", work.toString()), Path.of("."));
    }

    /** Compiles the JUnit fixture against the JUnit jars of this test's own class path, and copies those beside it. */
    private static void buildJUnitFixture(Path sources, Path target) throws Exception {
        Path lib = Files.createDirectories(target.resolve("lib"));
        List<String> jars = new ArrayList<>();
        for (String name : List.of("org.junit.jupiter.api.Test", "org.junit.jupiter.params.ParameterizedTest",
                "org.junit.jupiter.engine.JupiterTestEngine", "org.junit.platform.commons.JUnitException",
                "org.junit.platform.engine.TestEngine", "org.opentest4j.AssertionFailedError",
                "org.apiguardian.api.API")) {
            Path jar = Path.of(Class.forName(name).getProtectionDomain().getCodeSource().getLocation().toURI());
            Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            jars.add(lib.resolve(jar.getFileName()).toString());
        }
        junitClassPath = compileJUnitFixture(sources, target.resolve("classes"), jars);
    }

    /** The fixture's classes compiled into {@code classes} against {@code jars}: the suite's class path. */
    private static List<String> compileJUnitFixture(Path sources, Path classes, List<String> jars) throws Exception {
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", String.join(":", jars)));
        try (Stream<Path> files = Files.list(sources.resolve("fixture"))) {
            files.map(Path::toString).forEach(args::add);
        }
        assertEquals(0, javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null,
                args.toArray(String[]::new)), "the JUnit fixture does not compile");
        List<String> classPath = new ArrayList<>(List.of(classes.toString()));
        classPath.addAll(jars);
        return classPath;
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), command + " failed:\n" + output);
    }

    private static Distribution.Result test(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("test", "--ui", "plain", "--layer", fixtures + ":" + fixtures));
        command.addAll(List.of(args));
        return Distribution.flotilla(work, Map.of("FLOTILLA_URL", server.url()), command);
    }

    /** Test name → verdict, from the JSON report (last attempt of each) and from the JUnit XML. */
    private static void assertVerdicts(Map<String, String> expected, Path json, Path xml) throws Exception {
        assertEquals(new TreeMap<>(expected), RunnerVerdicts.flotilla(json), "JSON verdicts");
        Map<String, String> fromXml = new TreeMap<>();
        testcases(xml).forEach((test, testcase) -> fromXml.put(test, RunnerVerdicts.verdictOf(testcase)));
        assertEquals(new TreeMap<>(expected), fromXml, "JUnit XML verdicts");
    }

    /** The JUnit XML's testcase elements, by name. */
    private static Map<String, Element> testcases(Path xml) throws Exception {
        Map<String, Element> cases = new TreeMap<>();
        NodeList nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile())
                .getElementsByTagName("testcase");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element testcase = (Element) nodes.item(i);
            cases.put(testcase.getAttribute("name"), testcase);
        }
        return cases;
    }

    private Distribution.Result suite(String name, Map<String, String> expected, String... args) throws Exception {
        Path json = work.resolve(name + ".json");
        Path xml = work.resolve(name + ".xml");
        List<String> command = new ArrayList<>(List.of("--json", json.toString(), "--junit-xml", xml.toString()));
        command.addAll(List.of(args));
        Distribution.Result result = test(command.toArray(String[]::new));
        assertEquals(1, result.status(), result.toString());
        assertVerdicts(expected, json, xml);
        return result;
    }

    /**
     * A project whose layout defeats node ids used as paths: the rootdir is above the working directory, a
     * conftest.py rewrites an id, ids hold spaces, brackets and escaped unicode, and --pyargs names a package. Each
     * test's verdict is the one pytest-xdist's own run gives it (xfail is skipped, a non-strict xpass passed).
     */
    @Test
    void pytestVerdictsAreTheOnesXdistGivesOnAnyLayout() throws Exception {
        Path project = fixtures.resolve("pytest-layouts/sub");
        for (List<String> targets : List.of(List.of("tests"), List.of("--pyargs", "layoutpkg"))) {
            Map<String, String> expected = xdistVerdicts(project, targets);
            assertTrue(expected.size() >= 2, "pytest -n 2 ran the suite: " + expected);
            List<String> args = new ArrayList<>(List.of("pytest", "--workdir", project.toString(), "--"));
            args.addAll(targets);
            suite("layouts-" + targets.size(), expected, args.toArray(String[]::new));
        }
        Map<String, String> tests = xdistVerdicts(project, List.of("tests"));
        assertEquals("error", tests.get("sub/tests/test_layout.py::test_teardown_error"), tests.toString());
        assertEquals("skipped", tests.get("sub/tests/test_layout.py::test_xfails"), tests.toString());
        assertEquals("failed", tests.get("sub/tests/test_layout.py::test_xpasses_strictly"), tests.toString());
        assertEquals("passed", tests.get("sub/tests/test_layout.py::renamed by conftest"), tests.toString());
    }

    /**
     * Node id → verdict from {@code pytest -n 2 -v}. Its lines name tests relative to the working directory; the
     * listing's ids are relative to the rootdir, here the working directory's parent, so they gain its name.
     */
    private static Map<String, String> xdistVerdicts(Path dir, List<String> targets) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "pytest", "-n", "2", "-v", "-p",
                "no:cacheprovider"));
        command.addAll(targets);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return RunnerVerdicts.xdist(output, dir.getFileName() + "/");
    }

    @Test
    void everySuiteKindGivesEachTestItsVerdict() throws Exception {
        String exec = fixtures.resolve("exec").toString();
        suite("exec", Map.of(exec + "/t_crash", "error", exec + "/t_fail", "failed", exec + "/t_hang", "error",
                exec + "/t_pass", "passed", exec + "/t_skip", "skipped"), "exec", "--timeout", "3s", exec + "/t_*");
        suite("commands", Map.of("true", "passed", "exit 1", "failed", "exit 77", "skipped", "exec sleep 600",
                "error", CRASH_PY, "error"), "commands", "--timeout", "3s", "true", "exit 1", "exit 77",
                "exec sleep 600", CRASH_PY);
        Distribution.Result ctest = suite("ctest", Map.of("passes", "passed", "fails", "failed", "skips", "skipped",
                "hangs", "error", "crashes", "error", "fails_as_expected", "passed", "switched_off", "skipped"),
                "ctest", "--workdir", fixtures.resolve("ctest").toString());
        assertTrue(ctest.stderr().contains("ERROR crashes: killed by signal 11"), ctest.toString());
        assertTrue(ctest.stderr().contains("ERROR hangs: timed out"), ctest.toString());
        suite("gtest", Map.of("Fixture.Passes", "passed", "Fixture.Fails", "failed", "Fixture.Skips", "skipped",
                "Fixture.Hangs", "error", "Fixture.Crashes", "error", "Fixture.DISABLED_SwitchedOff", "skipped"),
                "gtest", "--timeout", "3s", fixtures.resolve("gtest/t").toString());
        Distribution.Result pytest = suite("pytest", Map.of("test_basic.py::test_passes", "passed",
                "test_basic.py::test_fails", "failed", "test_basic.py::test_skips", "skipped",
                "test_hang.py::test_hangs", "error", "test_crash.py::test_crashes", "error"),
                "pytest", "--timeout", "5s", "--workdir", fixtures.resolve("pytest").toString(), "-m", "not slow",
                "-x", "*first_attempt*");
        assertTrue(pytest.stderr().contains("5 tests, 1 passed, 1 failed, 2 errors, 1 skipped, 0 flaky"),
                pytest.toString());
        JsonNode failed = RunnerVerdicts.lastAttempts(work.resolve("pytest.json")).get("test_basic.py::test_fails");
        assertEquals("test_fails printed this\n", failed.get("stdout").asText(), failed.toString());
        // MemoryTest needs its JVM to size the heap from the 512m limit, which the JVM cannot see in the container.
        List<String> junit = new ArrayList<>(List.of("junit", "--timeout", "10s", "--memory", "512m", "-m", "!slow",
                "--jvm-arg", "-Dfixture.flag=on"));
        junit.addAll(junitClassPath);
        Distribution.Result jvm = suite("junit", Map.of("fixture.FixtureTest#passes()", "passed",
                "fixture.FixtureTest#fails()", "failed", "fixture.FixtureTest#throwsAnError()", "error",
                "fixture.FixtureTest#seesItsJvmArgument()", "passed",
                "fixture.FixtureTest#skips()", "skipped", "fixture.FixtureTest#failsForOneOfItsValues(int)", "failed",
                "fixture.HangTest#hangs()", "error", "fixture.CrashTest#crashes()", "error",
                "fixture.MemoryTest#getsAnOutOfMemoryErrorWithinItsContainersLimit()", "passed"),
                junit.toArray(String[]::new));
        assertTrue(jvm.stderr().contains("ERROR fixture.HangTest#hangs(): timed out"), jvm.toString());
        assertFailureIsReportedAsSurefireDoes(jvm);
    }

    /**
     * A failed assertion's message, type and first frames, and the test's own stdout and stderr (not those of the test
     * before it in the same JVM), in the terminal, the JSON and the JUnit XML.
     */
    private static void assertFailureIsReportedAsSurefireDoes(Distribution.Result run) throws Exception {
        String message = "expected: <3> but was: <2>";
        String frame = "at fixture.FixtureTest.fails(FixtureTest.java:23)";
        String failure = run.stderr().substring(run.stderr().indexOf("FAILED fixture.FixtureTest#fails(): "));
        assertTrue(failure.startsWith("FAILED fixture.FixtureTest#fails(): " + message), run.toString());
        String shown = failure.substring(0, failure.indexOf("\n", failure.indexOf("fails complained of this")));
        assertTrue(shown.contains(frame) && shown.contains("    fails printed this"), run.toString());
        assertFalse(shown.contains("passes printed this"), shown);
        JsonNode attempt = RunnerVerdicts.lastAttempts(work.resolve("junit.json")).get("fixture.FixtureTest#fails()");
        assertEquals(message, attempt.get("message").asText(), attempt.toString());
        assertEquals("org.opentest4j.AssertionFailedError", attempt.get("type").asText());
        assertTrue(attempt.get("trace").asText().contains(frame), attempt.toString());
        assertFalse(attempt.get("trace").asText().contains("org.junit.platform."), "framework frames are cut");
        assertEquals("fails printed this\n", attempt.get("stdout").asText(), attempt.toString());
        assertEquals("fails complained of this\n", attempt.get("stderr").asText(), attempt.toString());
        Element testcase = testcases(work.resolve("junit.xml")).get("fixture.FixtureTest#fails()");
        Element element = (Element) testcase.getElementsByTagName("failure").item(0);
        assertEquals(message, element.getAttribute("message"));
        assertEquals("org.opentest4j.AssertionFailedError", element.getAttribute("type"));
        assertTrue(element.getTextContent().startsWith("org.opentest4j.AssertionFailedError: " + message),
                element.getTextContent());
        assertTrue(element.getTextContent().contains(frame), element.getTextContent());
        assertEquals("fails printed this\n", testcase.getElementsByTagName("system-out").item(0).getTextContent());
        assertEquals("fails complained of this\n",
                testcase.getElementsByTagName("system-err").item(0).getTextContent());
    }

    @Test
    void listShowsWhatWouldRunAndRunsNothing() throws Exception {
        Distribution.Result list = test("ctest", "--list", "--workdir", fixtures.resolve("ctest").toString(),
                "-x", "*fail*");
        assertEquals(0, list.status(), list.toString());
        assertEquals(Set.of("passes", "skips", "hangs", "crashes"), Set.copyOf(list.stdout().lines().toList()),
                list.toString());
    }

    /**
     * {@code --maven}: Maven compiles the project's tests and names their class path, the tests run in the project
     * directory (a resource read by a relative path is found) with the JVM options given. A named cluster gets only
     * the class path's jars, not the local repository; the command's own cluster runs it too.
     */
    @Test
    void aMavenProjectRunsFromItsDirectoryWithItsOwnClassPath() throws Exception {
        Path project = fixtures.resolve("maven-project");
        run(List.of("cp", "-r", Path.of("src", "test", "resources", "suites", "maven-project").toAbsolutePath()
                .toString(), project.toString()), fixtures);
        Map<String, String> expected = Map.of("greeter.GreeterTest#greets()", "passed",
                "greeter.GreeterTest#readsItsDataFromTheProjectDirectory()", "passed",
                "greeter.GreeterTest#getsItsJvmOptions()", "passed",
                "greeter.GreeterTest#failsOnPurpose()", "failed");
        Distribution.Result named = suite("maven", expected, "junit", "--maven", project.toString(),
                "--jvm-arg", "-Dgreeter.mode=on");
        assertTrue(named.stderr().contains("the greeting ==> expected: <Hello, Bob!> but was: <Hello, Ada!>"),
                named.toString());
        Matcher upload = Pattern.compile("uploading layer sha256:[0-9a-f]{64} \\((\\d+) bytes")
                .matcher(named.stderr());
        while (upload.find()) {
            assertTrue(Long.parseLong(upload.group(1)) < 20_000_000L, "the class path's jars, not the local "
                    + "repository: " + upload.group());
        }
        Path json = work.resolve("maven-embedded.json");
        Distribution.Result embedded = Distribution.flotilla(work, Map.of(), List.of("test", "--ui", "plain", "--json",
                json.toString(), "junit", "--maven", project.toString(), "--jvm-arg", "-Dgreeter.mode=on"));
        assertEquals(1, embedded.status(), embedded.toString());
        assertTrue(embedded.stderr().contains("starting a single-node cluster here"), embedded.toString());
        assertEquals(new TreeMap<>(expected), RunnerVerdicts.flotilla(json));
        Distribution.Result withTargets = test("junit", "--maven", project.toString(), "extra.jar");
        assertEquals(2, withTargets.status(), withTargets.toString());
        assertEquals("flotilla: --maven names the class path itself: give no TARGETS with it, got 'extra.jar'\n",
                withTargets.stderr());
        Distribution.Result noPom = test("junit", "--maven", work.toString());
        assertEquals(2, noPom.status(), noPom.toString());
        assertEquals("flotilla: --maven " + work + ": there is no pom.xml\n", noPom.stderr());
        Path broken = fixtures.resolve("maven-broken");
        run(List.of("cp", "-r", project.toString(), broken.toString()), fixtures);
        Files.writeString(broken.resolve("src/test/java/greeter/BrokenTest.java"), "class BrokenTest { int x = ; }\n");
        Distribution.Result notCompiling = test("junit", "--maven", broken.toString());
        assertEquals(2, notCompiling.status(), notCompiling.toString());
        assertTrue(notCompiling.stderr().contains("--maven " + broken + ": Maven could not compile the tests or "
                + "name their class path (exit status 1); it said:"), notCompiling.toString());
        assertTrue(notCompiling.stderr().contains("BrokenTest.java"), "Maven's own error: " + notCompiling);
        assertFalse(notCompiling.stderr().contains("suite run"), "nothing ran: " + notCompiling);
    }

    @Test
    void aTestsJarListsTheTestsTheJUnitConsoleLauncherFindsInIt() throws Exception {
        // As Maven's test-jar goal packs target/test-classes: the jar alone stands for the directory.
        Path jar = fixtures.resolve("junit/fixture-1.0-tests.jar");
        run(List.of("jar", "cf", jar.toString(), "-C", junitClassPath.get(0), "."), fixtures);
        List<String> withJar = new ArrayList<>(junitClassPath);
        withJar.set(0, jar.toString());
        Set<String> fromJar = listedJUnitTests(withJar);
        assertTrue(fromJar.contains("fixture.FixtureTest#passes()"), fromJar.toString());
        assertEquals(consoleLauncherScan(jar), fromJar);
        assertEquals(fromJar, listedJUnitTests(junitClassPath));
    }

    /**
     * A suite on JUnit 5.10, whose Jupiter engine finds no test at all on this project's JUnit Platform (1.14): it runs
     * on the bundled launcher of its own Platform version, with the same tests and verdicts.
     */
    @Test
    void aSuiteOnAnOlderJUnitRunsOnALauncherOfItsOwnPlatform() throws Exception {
        List<String> jars;
        try (Stream<Path> files = Files.list(Path.of("target", "junit-5.10").toAbsolutePath())) {
            jars = files.map(Path::toString).sorted().toList();
        }
        Path target = Files.createDirectories(fixtures.resolve("junit-5.10"));
        for (String jar : jars) {
            Files.copy(Path.of(jar), target.resolve(Path.of(jar).getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> classPath = compileJUnitFixture(Path.of("src", "test", "resources", "suites", "junit")
                .toAbsolutePath(), target.resolve("classes"), jars.stream().map(jar -> target.resolve(
                Path.of(jar).getFileName()).toString()).toList());
        assertEquals(listedJUnitTests(junitClassPath), listedJUnitTests(classPath));
        List<String> args = new ArrayList<>(List.of("junit", "-i", "fixture.FixtureTest#*", "-m", "!slow",
                "--jvm-arg", "-Dfixture.flag=on"));
        args.addAll(classPath);
        suite("junit-5.10", Map.of("fixture.FixtureTest#passes()", "passed", "fixture.FixtureTest#fails()", "failed",
                "fixture.FixtureTest#throwsAnError()", "error", "fixture.FixtureTest#seesItsJvmArgument()", "passed",
                "fixture.FixtureTest#skips()", "skipped", "fixture.FixtureTest#failsForOneOfItsValues(int)", "failed"),
                args.toArray(String[]::new));
    }

    /**
     * The test methods that the JUnit console launcher's {@code discover --scan-class-path} finds in a jar, as
     * {@code class#method(types)}, from the unique ids it prints: {@code [class:C]/[method:m(int)]}, a nested class
     * as {@code [nested-class:N]}, a parameterized or factory method as {@code [test-template:...]} or
     * {@code [test-factory:...]}.
     */
    private static Set<String> consoleLauncherScan(Path jar) throws Exception {
        Path console = Path.of("target", "junit-console", "junit-platform-console-standalone.jar");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", console.toString(), "discover", "--disable-banner", "--disable-ansi-colors",
                "--include-engine=junit-jupiter", "--details=flat", "-cp", jar.toString(),
                "--scan-class-path=" + jar).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), output);
        Pattern segment = Pattern.compile("\\[(class|nested-class|method|test-template|test-factory):([^\\]]+)]");
        Set<String> methods = new TreeSet<>();
        for (String line : output.lines().toList()) {
            StringBuilder className = new StringBuilder();
            String method = null;
            Matcher m = segment.matcher(line);
            while (m.find()) {
                switch (m.group(1)) {
                    case "class" -> className.append(m.group(2));
                    case "nested-class" -> className.append('$').append(m.group(2));
                    default -> method = m.group(2);
                }
            }
            if (method != null) {
                methods.add(className + "#" + method);
            }
        }
        return methods;
    }

    private static Set<String> listedJUnitTests(List<String> classPath) throws Exception {
        List<String> args = new ArrayList<>(List.of("junit", "--list"));
        args.addAll(classPath);
        Distribution.Result list = test(args.toArray(String[]::new));
        assertEquals(0, list.status(), list.toString());
        return Set.copyOf(list.stdout().lines().toList());
    }

    @Test
    void testsThatShareATmpFileAndAPortPassSideBySide() throws Exception {
        String body = "import os, socket, time; s = socket.socket(); s.bind(('127.0.0.1', 7777)); s.listen(); "
                + "me = os.environ['FLOTILLA_TASK_INDEX']; open('/tmp/shared', 'w').write(me); "
                + "print('start', time.time()); time.sleep(3); "
                + "assert open('/tmp/shared').read() == me; print('end', time.time())";
        String first = "exec python3 -c \"" + body + "\" first";
        String second = "exec python3 -c \"" + body + "\" second";
        Distribution.Result result = test("commands", first, second);
        assertEquals(0, result.status(), result.toString());
        Matcher run = Pattern.compile("suite run (\\S+):").matcher(result.stderr());
        assertTrue(run.find(), result.toString());
        double[][] spans = new double[2][];
        for (int job = 0; job < 2; job++) {
            String out = Distribution.flotilla(work, Map.of("FLOTILLA_URL", server.url()),
                    List.of("logs", run.group(1) + ":" + job)).stdout();
            Matcher times = Pattern.compile("start (\\S+)\\s+end (\\S+)").matcher(out);
            assertTrue(times.find(), out);
            spans[job] = new double[] {Double.parseDouble(times.group(1)), Double.parseDouble(times.group(2))};
        }
        assertTrue(spans[0][0] < spans[1][1] && spans[1][0] < spans[0][1], "the two tests did not overlap in time");
    }

    @Test
    void aOnePercentFailureIsMeasuredAndStopAfterStopsEarly() throws Exception {
        String binary = fixtures.resolve("onepercent/t_onepercent").toString();
        Distribution.Result repeated = test("exec", "--repeat", "2000", binary);
        assertEquals(1, repeated.status(), repeated.toString());
        Matcher report = Pattern.compile("(\\d+) runs, (\\d+) failures, failure rate \\S+% \\(95% interval (\\S+)% "
                + "to (\\S+)%\\)").matcher(repeated.stdout());
        assertTrue(report.find(), repeated.toString());
        assertEquals(2000, Integer.parseInt(report.group(1)));
        assertEquals(20, Integer.parseInt(report.group(2)));
        assertTrue(Double.parseDouble(report.group(3)) < 1.0 && Double.parseDouble(report.group(4)) > 1.0,
                repeated.stdout());
        assertTrue(repeated.stdout().contains("first failure: job 37 attempt 1, FLOTILLA_SEED="), repeated.stdout());

        Distribution.Result stopped = test("exec", "--repeat", "2000", "--stop-after", "1", binary);
        assertEquals(1, stopped.status(), stopped.toString());
        Matcher counts = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) failed").matcher(stopped.stderr());
        assertTrue(counts.find(), stopped.toString());
        assertEquals(1, Integer.parseInt(counts.group(3)), stopped.toString());
        assertTrue(Integer.parseInt(counts.group(2)) < 1000, "ran on after the failure: " + stopped);
    }

    @Test
    void aTestThatFailsOnlyOnItsFirstAttemptIsFlaky() throws Exception {
        Path xml = work.resolve("flaky.xml");
        String[] args = {"pytest", "--workdir", fixtures.resolve("pytest").toString(), "-i",
            "*first_attempt_only", "--retries", "2", "--junit-xml", xml.toString()};
        Distribution.Result flaky = test(args);
        assertEquals(0, flaky.status(), flaky.toString());
        assertTrue(flaky.stderr().contains("FLAKY test_basic.py::test_fails_on_first_attempt_only: assert '1' != '1' "
                + "on attempt 1, passed on attempt 2"), flaky.toString());
        assertTrue(flaky.stderr().contains("1 tests, 0 passed, 0 failed, 0 errors, 0 skipped, 1 flaky"),
                flaky.toString());
        String report = Files.readString(xml);
        assertTrue(report.contains("<flakyFailure message=\"assert '1' != '1'\" type=\"AssertionError\">")
                && !report.contains("<failure"), report);

        List<String> failing = new ArrayList<>(List.of(args));
        failing.add("--fail-on-flaky");
        assertEquals(1, test(failing.toArray(String[]::new)).status());
    }

    @Test
    void withItsTimingHistoryASuiteFinishesNearTheBestItsSlotsAllow() throws Exception {
        List<String> commands = new ArrayList<>();
        long sum = 0;
        long longest = 0;
        for (int i = 0; i < 40; i++) {
            long millis = i == 39 ? 5000 : 300 + i * 7919L % 1200; // the longest is listed last
            sum += millis;
            longest = Math.max(longest, millis);
            commands.add("echo start $(date +%s%N); sleep " + millis / 1000.0 + "; echo end $(date +%s%N)");
        }
        List<String> args = new ArrayList<>(List.of("commands", "--name", "timing-" + System.nanoTime()));
        args.addAll(commands);
        assertEquals(0, test(args.toArray(String[]::new)).status()); // fills the history
        Distribution.Result second = test(args.toArray(String[]::new));
        assertEquals(0, second.status(), second.toString());
        Matcher run = Pattern.compile("suite run (\\S+):").matcher(second.stderr());
        assertTrue(run.find(), second.toString());
        JsonNode jobs = JSON.readTree(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(server.url() + "/v1/runs/" + run.group(1) + "/jobs?limit=100"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()).get("jobs");
        long first = Long.MAX_VALUE;
        long last = 0;
        for (JsonNode job : jobs) {
            Matcher times = Pattern.compile("start (\\d+)\\s+end (\\d+)").matcher(job.get("output").asText());
            assertTrue(times.find(), job.toString());
            first = Math.min(first, Long.parseLong(times.group(1)));
            last = Math.max(last, Long.parseLong(times.group(2)));
        }
        assertEquals(40, jobs.size());
        double lowerBound = Math.max(sum / 2.0, longest) / 1000.0;
        double makespan = (last - first) / 1e9;
        System.out.printf("timing history: 40 tests on 2 slots took %.2f s; lower bound max(sum/slots, longest) "
                + "%.2f s; ratio %.3f%n", makespan, lowerBound, makespan / lowerBound);
        assertTrue(makespan <= 1.1 * lowerBound, "took " + makespan + " s, bound " + lowerBound + " s");
    }

    @Test
    void aListingThatFailsOrPrintsGarbageFailsTheRunNamingTheSuiteAndShowingTheListing() throws Exception {
        Distribution.Result broken = test("pytest", "--workdir", fixtures.resolve("broken").toString());
        assertEquals(1, broken.status(), broken.toString());
        assertTrue(broken.stderr().contains("the pytest listing failed (exit status 2)"), broken.toString());
        assertTrue(broken.stderr().contains("SyntaxError"), broken.toString());

        Distribution.Result garbage = test("gtest", "/bin/echo");
        assertEquals(1, garbage.status(), garbage.toString());
        assertTrue(garbage.stderr().contains("the GoogleTest listing has a line that is neither a suite nor a test: "
                + "'--gtest_list_tests'"), garbage.toString());

        Distribution.Result nothing = test("exec", fixtures.resolve("exec").toString() + "/no_such_*");
        assertEquals(1, nothing.status(), nothing.toString());
        assertTrue(nothing.stderr().contains("the exec listing selects no test to run"), nothing.toString());
    }
}
