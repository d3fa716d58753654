package io.flotilla.scheduler.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The listing parsers on output captured from the real tools, and on output that is not a listing. */
class ListingParsersTest {
    private static final List<String> PYTEST = List.of("python3", "-m", "pytest");

    @Test
    void pytestNodeIdsBecomeOneCommandEach() {
        List<DiscoveredTest> tests = PytestListing.parse("""
                tests/test_a.py::test_one
                tests/test_a.py::test_p[1]
                tests/test_a.py::test_p[a b]
                tests/test_a.py::TestC::test_m

                4 tests collected in 0.89s
                """, PYTEST);
        assertEquals(List.of("tests/test_a.py::test_one", "tests/test_a.py::test_p[1]", "tests/test_a.py::test_p[a b]",
                "tests/test_a.py::TestC::test_m"), tests.stream().map(DiscoveredTest::name).toList());
        assertEquals(List.of("python3", "-m", "pytest", "tests/test_a.py::test_p[a b]"), tests.get(2).command());
        assertEquals(List.of(), PytestListing.parse("no tests collected in 0.01s\n", PYTEST));
    }

    @Test
    void aPytestCollectionErrorOrGarbageFailsNamingTheSuiteAndQuotingTheOutput() {
        String collectionError = """
                tests/test_a.py::test_one
                E   ModuleNotFoundError: No module named 'nosuchmodule'
                =========================== short test summary info ============================
                ERROR tests/test_b.py
                !!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
                1 test collected, 1 error in 1.28s
                """;
        ListingException error = assertThrows(ListingException.class, () -> PytestListing.parse(collectionError,
                PYTEST));
        assertTrue(error.getMessage().startsWith("the pytest listing reported an error; its output was:\n"),
                error.getMessage());
        assertTrue(error.getMessage().contains("No module named 'nosuchmodule'"));
        assertEquals("the pytest listing did not end with pytest's count of collected tests; its output was:\n"
                + "sh: 1: pytest: not found", assertThrows(ListingException.class,
                () -> PytestListing.parse("sh: 1: pytest: not found\n", PYTEST)).getMessage());
    }

    @Test
    void googleTestSuitesAndParameterizedTestsBecomeFilters() {
        List<DiscoveredTest> tests = GTestListing.parse("""
                MathTest.
                  Adds
                  DISABLED_Overflows
                Param/SquareTest.
                  IsPositive/0  # GetParam() = 3
                  IsPositive/1  # GetParam() = -3
                """, "/src/build/math_tests");
        assertEquals(List.of("MathTest.Adds", "MathTest.DISABLED_Overflows", "Param/SquareTest.IsPositive/0",
                "Param/SquareTest.IsPositive/1"), tests.stream().map(DiscoveredTest::name).toList());
        assertEquals(List.of("/src/build/math_tests", "--gtest_filter=Param/SquareTest.IsPositive/1"),
                tests.get(3).command());
        assertEquals(List.of(false, true, false, false), tests.stream().map(DiscoveredTest::disabled).toList());
        assertThrows(ListingException.class, () -> GTestListing.parse("Segmentation fault\n", "/bin/t"));
        assertThrows(ListingException.class, () -> GTestListing.parse("", "/bin/t"));
    }

    @Test
    void ctestCommandsComeWithTheirDirectoryEnvironmentTimeoutAndExpectations() {
        List<DiscoveredTest> tests = CTestListing.parse("""
                {"kind": "ctestInfo", "version": {"major": 1, "minor": 0}, "tests": [
                 {"backtrace": 1, "command": ["/src/build/t", "0"], "name": "passes",
                  "properties": [{"name": "WORKING_DIRECTORY", "value": "/src/build"}]},
                 {"backtrace": 3, "command": ["/src/build/t", "1"], "name": "fails_on_purpose",
                  "properties": [{"name": "ENVIRONMENT", "value": ["A=1", "B=x=y"]},
                   {"name": "LABELS", "value": ["io", "slow"]}, {"name": "TIMEOUT", "value": 2.5},
                   {"name": "WILL_FAIL", "value": true}, {"name": "WORKING_DIRECTORY", "value": "/tmp"}]},
                 {"backtrace": 5, "command": ["/src/build/t", "0"], "name": "off",
                  "properties": [{"name": "DISABLED", "value": true}]}]}
                """);
        assertEquals(new DiscoveredTest("passes", List.of("/src/build/t", "0"), "/src/build", Map.of(), null, false,
                false, null), tests.get(0));
        assertEquals(new DiscoveredTest("fails_on_purpose", List.of("/src/build/t", "1"), "/tmp",
                Map.of("A", "1", "B", "x=y"), Duration.ofMillis(2500), false, true, null),
                tests.get(1));
        assertTrue(tests.get(2).disabled());
        assertTrue(assertThrows(ListingException.class, () -> CTestListing.parse("ctest: command not found"))
                .getMessage().startsWith("the ctest listing is not JSON"));
        assertTrue(assertThrows(ListingException.class, () -> CTestListing.parse("{\"tests\": [{\"name\": \"x\"}]}"))
                .getMessage().startsWith("the ctest listing has test x without a command (is the project built?)"));
    }

    @Test
    void theJUnitLaunchersMethodsEndWithTheirCount() {
        List<DiscoveredTest> tests = JUnitListing.parse("""
                com.example.FooTest#passes()
                com.example.FooTest$Nested#withValues(int, java.lang.String)
                2 tests listed
                """);
        assertEquals(List.of("com.example.FooTest#passes()",
                "com.example.FooTest$Nested#withValues(int, java.lang.String)"),
                tests.stream().map(DiscoveredTest::name).toList());
        assertTrue(assertThrows(ListingException.class, () -> JUnitListing.parse("com.example.FooTest#a()\n"))
                .getMessage().startsWith("the JUnit listing did not end with the launcher's count of tests"));
        assertTrue(assertThrows(ListingException.class, () -> JUnitListing.parse(
                "Error: Could not find or load main class io.flotilla.junit.JUnitLauncher\n0 tests listed\n"))
                .getMessage().startsWith("the JUnit listing has a line that is not a test method: 'Error: "));
        assertTrue(assertThrows(ListingException.class, () -> JUnitListing.parse("a.B#c()\n3 tests listed\n"))
                .getMessage().startsWith("the JUnit listing counts 3 tests but names 1"));
    }
}
