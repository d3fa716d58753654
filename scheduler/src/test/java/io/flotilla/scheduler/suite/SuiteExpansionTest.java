package io.flotilla.scheduler.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.JobResult.OutputSummary;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.suite.SuiteCommands;
import io.flotilla.protocol.suite.SuiteSpec;
import io.flotilla.protocol.suite.SuiteSpec.Isolation;
import io.flotilla.protocol.suite.SuiteSpec.Kind;
import io.flotilla.protocol.suite.TestVerdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Listing output to the jobs of a suite run: filters, isolation, order by history, repeats, each job's container. */
class SuiteExpansionTest {
    private static final JobResult LISTED = new JobResult(JobResult.Outcome.EXITED, 0, 0, "", Duration.ofMillis(30),
            Duration.ZERO, 0, OutputSummary.EMPTY, OutputSummary.EMPTY, false);
    private static final String PYTEST_LISTING = """
            a.py::t1
            a.py::t2
            b.py::t1
            b.py::t2
            b.py::t3

            5 tests collected in 0.01s
            """;

    static RunSpec listing(SuiteSpec suite) {
        ContainerSpec container = ContainerSpec.builder(SuiteCommands.listing(suite)).workdir("/src")
                .env("CI", "1").build();
        return new RunSpec("r", "ann", 0, 0, List.of(container), null, 1, 0, 0, suite, null);
    }

    static SuiteSpec suite(Kind kind, List<String> targets, List<String> include, List<String> exclude,
                           Isolation isolation, int shardSize, int repeat) {
        return new SuiteSpec(kind, "s", targets, include, exclude, "", isolation, shardSize, repeat, false, 0L,
                List.of());
    }

    @Test
    void pytestRunsPerFileByDefaultPerShardOrPerTestWhenAsked() {
        SuiteSpec pytest = suite(Kind.PYTEST, List.of("--pyargs", "pkg"), List.of(), List.of(), null, 0, 1);
        RunSpec perFile = SuiteExpansion.expand(listing(pytest), LISTED, PYTEST_LISTING, new SuiteHistory());
        assertEquals(List.of(List.of("a.py::t1", "a.py::t2"), List.of("b.py::t1", "b.py::t2", "b.py::t3")),
                perFile.plan().jobTests());
        List<String> command = perFile.jobs().get(0).command();
        assertEquals(List.of("2", "a.py::t1", "a.py::t2", "--pyargs", "pkg"), command.subList(3, command.size()),
                "the job's node ids, then the suite's own arguments, for pytest to collect with");
        assertEquals(1, perFile.jobsPerContainer());
        RunSpec shards = SuiteExpansion.expand(listing(suite(Kind.PYTEST, List.of(), List.of(), List.of(),
                Isolation.SHARD, 2, 1)), LISTED, PYTEST_LISTING, new SuiteHistory());
        assertEquals(List.of(2, 2, 1), shards.plan().jobTests().stream().map(List::size).toList());
        RunSpec perTest = SuiteExpansion.expand(listing(suite(Kind.PYTEST, List.of(), List.of(), List.of(),
                Isolation.TEST, 0, 1)), LISTED, PYTEST_LISTING, new SuiteHistory());
        assertEquals(5, perTest.jobs().size());
    }

    @Test
    void filtersSelectByGlobOrRegexAndExclusionWins() {
        RunSpec run = SuiteExpansion.expand(listing(suite(Kind.PYTEST, List.of(), List.of("b.py::*", "re:a\\.py::t[2]"),
                List.of("*t3"), Isolation.TEST, 0, 1)), LISTED, PYTEST_LISTING, new SuiteHistory());
        assertEquals(List.of(List.of("a.py::t2"), List.of("b.py::t1"), List.of("b.py::t2")), run.plan().jobTests());
        ListingException none = assertThrows(ListingException.class, () -> SuiteExpansion.expand(listing(suite(
                Kind.PYTEST, List.of(), List.of("nothing*"), List.of(), null, 0, 1)), LISTED, PYTEST_LISTING,
                new SuiteHistory()));
        assertTrue(none.getMessage().startsWith("the pytest listing selects no test to run (5 listed"),
                none.getMessage());
    }

    @Test
    void eachJobKeepsTheContainerAndGetsItsTestIndexSeedAndTheTestsOwnSettings() {
        String ctest = """
                {"kind": "ctestInfo", "version": {"major": 1, "minor": 0}, "tests": [
                 {"name": "slow", "command": ["/b/t", "slow"], "properties": [{"name": "TIMEOUT", "value": 2},
                  {"name": "WORKING_DIRECTORY", "value": "/b/data"}, {"name": "ENVIRONMENT", "value": ["K=v"]}]},
                 {"name": "off", "command": ["/b/t", "x"], "properties": [{"name": "DISABLED", "value": true}]},
                 {"name": "inverted", "command": ["/b/t", "fail"], "properties": [{"name": "WILL_FAIL",
                  "value": true}]}]}
                """;
        RunSpec run = SuiteExpansion.expand(listing(suite(Kind.CTEST, List.of(), List.of(), List.of(), null, 0, 2)),
                LISTED, ctest, new SuiteHistory());
        assertEquals(List.of(List.of("slow"), List.of("inverted"), List.of("slow"), List.of("inverted")),
                run.plan().jobTests(), "every test once, then every test again");
        assertEquals(List.of("off"), run.plan().disabled());
        ContainerSpec slow = run.jobs().get(0);
        assertEquals(List.of("/b/t", "slow"), slow.command());
        assertEquals("/b/data", slow.workdir());
        assertEquals(Duration.ofSeconds(2), slow.limits().timeout());
        assertEquals("v", slow.env().get("K"));
        assertEquals("1", slow.env().get("CI"));
        assertEquals("slow", slow.env().get("FLOTILLA_TEST"));
        assertEquals("2", run.jobs().get(2).env().get("FLOTILLA_TASK_INDEX"));
        assertTrue(!slow.env().get("FLOTILLA_SEED").equals(run.jobs().get(2).env().get("FLOTILLA_SEED")));
        assertEquals(List.of("/bin/sh", "-c"), run.jobs().get(1).command().subList(0, 2), "WILL_FAIL wraps it");
        assertEquals("/src", run.jobs().get(1).workdir());
    }

    @Test
    void newAndLastFailedTestsGoFirstThenTheLongest() {
        SuiteHistory history = new SuiteHistory();
        history.record("s", List.of(new TestVerdict("echo short", TestVerdict.Outcome.PASSED, 100, ""),
                new TestVerdict("echo long", TestVerdict.Outcome.PASSED, 900, ""),
                new TestVerdict("echo broken", TestVerdict.Outcome.FAILED, 50, "exit status 1"),
                new TestVerdict("echo middle", TestVerdict.Outcome.PASSED, 400, "")));
        RunSpec run = SuiteExpansion.expand(listing(suite(Kind.COMMANDS, List.of("echo short", "echo long",
                "echo middle", "echo new", "echo broken"), List.of(), List.of(), null, 0, 1)), null, "", history);
        assertEquals(List.of("echo new", "echo broken", "echo long", "echo middle", "echo short"),
                run.plan().jobTests().stream().map(tests -> tests.get(0)).toList());
    }

    /**
     * With a group time of 5 s, the files that the history knows to be shorter share containers of up to 5 s, packed
     * first fit from the longest; a file it does not know, a file that failed last time and a long file keep their
     * own, and every test keeps its own verdict line in its group.
     */
    @Test
    void smallFilesTheHistoryKnowsShareAContainerOfTheGroupTime() {
        String listing = "a.py::t\nb.py::t\nc.py::t1\nc.py::t2\nd.py::t\ne.py::t\nf.py::t\n\n7 tests collected\n";
        SuiteHistory history = new SuiteHistory();
        history.record("s", List.of(new TestVerdict("a.py::t", TestVerdict.Outcome.PASSED, 1000, ""),
                new TestVerdict("b.py::t", TestVerdict.Outcome.PASSED, 1500, ""),
                new TestVerdict("c.py::t1", TestVerdict.Outcome.PASSED, 1000, ""),
                new TestVerdict("c.py::t2", TestVerdict.Outcome.PASSED, 2000, ""),
                new TestVerdict("d.py::t", TestVerdict.Outcome.PASSED, 6000, ""),
                new TestVerdict("f.py::t", TestVerdict.Outcome.FAILED, 10, "")));
        SuiteSpec grouped = new SuiteSpec(Kind.PYTEST, "s", List.of(), List.of(), List.of(), "", Isolation.FILE, 0,
                1, false, 5000L, List.of());
        RunSpec run = SuiteExpansion.expand(listing(grouped), LISTED, listing, history);
        assertEquals(List.of(List.of("e.py::t"), List.of("f.py::t"), List.of("d.py::t"),
                List.of("c.py::t1", "c.py::t2", "b.py::t"), List.of("a.py::t")), run.plan().jobTests(),
                "new and last-failed first, then 6 s, 4.5 s and 1 s");
        assertEquals("c.py b.py", run.jobs().get(3).env().get("FLOTILLA_TEST"));
        List<String> command = run.jobs().get(3).command();
        assertEquals(List.of("3", "c.py::t1", "c.py::t2", "b.py::t"), command.subList(3, command.size()));
        SuiteSpec byDefault = new SuiteSpec(Kind.PYTEST, "s", List.of(), List.of(), List.of(), "", null, 0, 1, false,
                null, List.of());
        assertEquals(SuiteSpec.DEFAULT_GROUP_MILLIS, byDefault.groupMillis());
        SuiteSpec perFile = new SuiteSpec(Kind.PYTEST, "s", List.of(), List.of(), List.of(), "", Isolation.FILE, 0,
                1, false, 0L, List.of());
        assertEquals(6, SuiteExpansion.expand(listing(perFile), LISTED, listing, history).jobs().size(),
                "0 keeps one file per container");
    }

    /**
     * A skipped test counts as the time its skip took, unless it ran before: a file with a skip (23 of networkx's 32
     * containers) would otherwise never be known and keep a container, an interpreter and an import of its own.
     */
    @Test
    void aFileWithASkippedTestSharesAContainerAndASkipKeepsTheTimeTheTestLastRan() {
        String listing = "a.py::t\nb.py::skipped\nb.py::t\nc.py::was_slow\n\n4 tests collected\n";
        SuiteHistory history = new SuiteHistory();
        history.record("s", List.of(new TestVerdict("c.py::was_slow", TestVerdict.Outcome.PASSED, 6000, "")));
        history.record("s", List.of(new TestVerdict("a.py::t", TestVerdict.Outcome.PASSED, 1000, ""),
                new TestVerdict("b.py::skipped", TestVerdict.Outcome.SKIPPED, 2, "needs scipy"),
                new TestVerdict("b.py::t", TestVerdict.Outcome.PASSED, 1000, ""),
                new TestVerdict("c.py::was_slow", TestVerdict.Outcome.SKIPPED, 1, "not today")));
        assertEquals(new SuiteHistory.Entry(2, false), history.last("s", "b.py::skipped").orElseThrow());
        assertEquals(new SuiteHistory.Entry(6000, false), history.last("s", "c.py::was_slow").orElseThrow());
        SuiteSpec grouped = new SuiteSpec(Kind.PYTEST, "s", List.of(), List.of(), List.of(), "", Isolation.FILE, 0,
                1, false, 5000L, List.of());
        assertEquals(List.of(List.of("c.py::was_slow"), List.of("b.py::skipped", "b.py::t", "a.py::t")),
                SuiteExpansion.expand(listing(grouped), LISTED, listing, history).plan().jobTests());
    }

    /** A test JVM sizes its heap from the job's memory limit, which it cannot see, unless the suite says otherwise. */
    @Test
    void aJUnitJobsJvmKnowsTheJobsMemoryLimit() {
        String listing = "p.ATest#a()\n\n1 tests listed\n";
        ContainerSpec limited = ContainerSpec.builder(List.of("true")).limits(new Limits(512 * Limits.MIB, 0, 0,
                Duration.ofSeconds(30), Duration.ofSeconds(2), Limits.MIB)).build();
        for (List<String> jvmArgs : List.of(List.<String>of(), List.of("-XX:MaxRAM=1g"))) {
            SuiteSpec junit = new SuiteSpec(Kind.JUNIT, "s", List.of("/t"), List.of(), List.of(), "", null, 0, 1,
                    false, null, jvmArgs);
            RunSpec run = SuiteExpansion.expand(new RunSpec("r", "ann", 0, 0, List.of(limited), null, 1, 0, 0, junit,
                    null), LISTED, listing, new SuiteHistory());
            List<String> command = run.jobs().get(0).command();
            assertEquals(jvmArgs.isEmpty() ? List.of("java", "-XX:MaxRAM=536870912") : List.of("java",
                    "-XX:MaxRAM=1g"), command.subList(0, 2), command.toString());
            assertEquals("p.ATest#a()", command.get(command.size() - 1));
        }
    }

    @Test
    void aFailedListingOrGarbageNamesTheSuiteAndQuotesTheOutput() {
        JobResult failed = new JobResult(JobResult.Outcome.EXITED, 2, 0, "", Duration.ZERO, Duration.ZERO, 0,
                OutputSummary.EMPTY, OutputSummary.EMPTY, false);
        ListingException listingFailed = assertThrows(ListingException.class, () -> SuiteExpansion.expand(listing(
                suite(Kind.GTEST, List.of("/b/t"), List.of(), List.of(), null, 0, 1)), failed, "boom\n",
                new SuiteHistory()));
        assertEquals("the GoogleTest listing failed (exit status 2); its output was:\nboom",
                listingFailed.getMessage());
        ListingException garbage = assertThrows(ListingException.class, () -> SuiteExpansion.expand(listing(
                suite(Kind.GTEST, List.of("/b/t"), List.of(), List.of(), null, 0, 1)), LISTED, "hello\n",
                new SuiteHistory()));
        assertTrue(garbage.getMessage().startsWith("the GoogleTest listing does not start with a binary's name"),
                garbage.getMessage());
    }
}
