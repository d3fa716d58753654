package io.flotilla.scheduler.suite;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.Seeds;
import io.flotilla.protocol.suite.SuiteCommands;
import io.flotilla.protocol.suite.SuitePlan;
import io.flotilla.protocol.suite.SuiteSpec;
import io.flotilla.protocol.suite.SuiteSpec.Isolation;
import io.flotilla.protocol.suite.TestVerdicts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Expands a suite run, once its listing step has printed the suite's tests, into the run of the tests' jobs: parses
 * the listing, keeps the tests the filters select, groups them per the isolation (per file, the small files that the
 * timing history knows packed together up to the suite's group time), orders the groups (new and
 * last-failed first, then longest expected first, from the timing history) and repeats them. Every job runs in the
 * listing step's container spec, with its test's own command, working directory, environment and timeout, plus
 * {@code FLOTILLA_TEST}, the job's index as {@code FLOTILLA_TASK_INDEX} and a {@code FLOTILLA_SEED} derived from the
 * run id and that index.
 */
public final class SuiteExpansion {
    /** A listing's stdout may be this long; it travels whole to the scheduler and into its journal. */
    public static final int LISTING_OUTPUT_BYTES = 8 << 20;
    /**
     * A job of several pytest or JUnit tests returns this much of its output's end: room for a verdict line per test,
     * for the files that {@code groupMillis} packs together too (64 KiB lost the verdicts of networkx's packed files).
     */
    public static final int GROUP_OUTPUT_BYTES = 2 << 20;
    /** Assumed for a test the history does not know, so that it goes first. */
    private static final long UNKNOWN = Long.MAX_VALUE;

    private SuiteExpansion() {
    }

    /** How much output a job of this run returns with its result: 0 for the node's default. */
    public static int outputTailBytes(RunSpec run) {
        if (run.isListing()) {
            return LISTING_OUTPUT_BYTES;
        }
        return run.suite() != null && run.suite().kind().runsManyTestsPerProcess() ? GROUP_OUTPUT_BYTES : 0;
    }

    /** What the run's suite is called in messages: pytest, ctest, GoogleTest, exec, commands, JUnit. */
    public static String kindName(SuiteSpec.Kind kind) {
        return switch (kind) {
            case GTEST -> "GoogleTest";
            case JUNIT -> "JUnit";
            default -> kind.name().toLowerCase();
        };
    }

    /**
     * @param listingRun the run as accepted: its one job is the listing step, in the tests' container
     * @param listingResult how the listing step ended; null for a command suite, which has none
     * @param listingOutput its whole stdout (and, when it failed, the end of its stderr)
     * @throws ListingException when the listing failed, is not a listing, or selects no test
     */
    public static RunSpec expand(RunSpec listingRun, JobResult listingResult, String listingOutput,
                                 SuiteHistory history) {
        SuiteSpec suite = listingRun.suite();
        String kind = kindName(suite.kind());
        if (listingResult != null && !listingResult.succeeded()) {
            throw new ListingException(kind, "failed (" + TestVerdicts.describe(listingResult) + ")", listingOutput);
        }
        List<DiscoveredTest> listed = switch (suite.kind()) {
            case PYTEST -> PytestListing.parse(listingOutput, List.of());
            case CTEST -> CTestListing.parse(listingOutput);
            case GTEST -> gtest(listingOutput);
            case EXEC -> listingOutput.lines().filter(line -> !line.isBlank())
                    .map(path -> DiscoveredTest.simple(path, List.of(path))).toList();
            case COMMANDS -> suite.targets().stream()
                    .map(command -> DiscoveredTest.simple(command, SuiteCommands.shell(command))).toList();
            case JUNIT -> JUnitListing.parse(listingOutput);
        };
        Predicate<String> selects = suite.selector();
        List<DiscoveredTest> selected = new ArrayList<>();
        List<String> disabled = new ArrayList<>();
        for (DiscoveredTest test : listed) {
            if (!selects.test(test.name())) {
                continue;
            }
            if (test.disabled()) {
                disabled.add(test.name());
            } else {
                selected.add(test);
            }
        }
        if (selected.isEmpty()) {
            throw new ListingException(kind, "selects no test to run (" + listed.size() + " listed, "
                    + disabled.size() + " of the selected disabled; include " + suite.include() + ", exclude "
                    + suite.exclude() + (suite.marker().isEmpty() ? "" : ", marker '" + suite.marker() + "'") + ")",
                    listingOutput);
        }
        List<List<DiscoveredTest>> groups = order(group(suite, selected, history), suite.name(), history);
        if ((long) groups.size() * suite.repeat() > RunSpec.MAX_JOBS) {
            throw new ListingException(kind, "gives " + groups.size() + " jobs, which repeated " + suite.repeat()
                    + " times are more than the " + RunSpec.MAX_JOBS + " jobs a run may have", listingOutput);
        }
        ContainerSpec template = listingRun.jobs().get(0);
        long runSeed = Seeds.ofRunId(listingRun.runId());
        List<ContainerSpec> jobs = new ArrayList<>();
        List<List<String>> jobTests = new ArrayList<>();
        for (int round = 0; round < suite.repeat(); round++) {
            for (List<DiscoveredTest> group : groups) {
                jobs.add(jobSpec(suite, template, group, jobs.size(), Seeds.of(runSeed, jobs.size())));
                jobTests.add(group.stream().map(DiscoveredTest::name).toList());
            }
        }
        int perContainer = suite.isolation() == Isolation.SHARD && !suite.kind().runsManyTestsPerProcess()
                ? suite.shardSize() : 1;
        return new RunSpec(listingRun.runId(), listingRun.user(), listingRun.priority(), listingRun.retries(), jobs,
                null, perContainer, listingRun.maxParallel(), listingRun.stopAfterFailures(), suite,
                new SuitePlan(jobTests, disabled));
    }

    private static List<DiscoveredTest> gtest(String output) {
        List<DiscoveredTest> tests = new ArrayList<>();
        String binary = null;
        StringBuilder listing = new StringBuilder();
        for (String line : (output + "\n" + SuiteCommands.BINARY_PREFIX).split("\n")) {
            if (line.startsWith(SuiteCommands.BINARY_PREFIX)) {
                if (binary != null) {
                    tests.addAll(GTestListing.parse(listing.toString(), binary));
                }
                binary = line.substring(SuiteCommands.BINARY_PREFIX.length());
                listing.setLength(0);
            } else if (binary == null && !line.isBlank()) {
                throw new ListingException("GoogleTest", "does not start with a binary's name", output);
            } else {
                listing.append(line).append('\n');
            }
        }
        return tests;
    }

    /** The tests each job runs: a pytest or JUnit group runs in one process; other kinds run one test per job. */
    private static List<List<DiscoveredTest>> group(SuiteSpec suite, List<DiscoveredTest> tests,
                                                    SuiteHistory history) {
        if (!suite.kind().runsManyTestsPerProcess() || suite.isolation() == Isolation.TEST) {
            return tests.stream().map(List::of).toList();
        }
        if (suite.isolation() == Isolation.FILE) {
            Map<String, List<DiscoveredTest>> byFile = new LinkedHashMap<>();
            tests.forEach(test -> byFile.computeIfAbsent(fileOf(test.name()), f -> new ArrayList<>())
                    .add(test));
            return packSmallFiles(List.copyOf(byFile.values()), suite, history);
        }
        List<List<DiscoveredTest>> shards = new ArrayList<>();
        for (int from = 0; from < tests.size(); from += suite.shardSize()) {
            shards.add(tests.subList(from, Math.min(tests.size(), from + suite.shardSize())));
        }
        return shards;
    }

    /**
     * Puts the files that the history knows to take less than the suite's group time together, first fit from the
     * longest, into containers of at most that time; a file it does not know, one that failed last time and one as
     * long as the group time keep a container of their own, and no file is split.
     */
    private static List<List<DiscoveredTest>> packSmallFiles(List<List<DiscoveredTest>> files, SuiteSpec suite,
                                                             SuiteHistory history) {
        long target = suite.groupMillis();
        List<List<DiscoveredTest>> groups = new ArrayList<>();
        List<List<DiscoveredTest>> small = new ArrayList<>();
        Map<List<DiscoveredTest>, Long> expected = new IdentityHashMap<>();
        for (List<DiscoveredTest> file : files) {
            long millis = expectedMillis(file, suite.name(), history);
            if (target > 0 && millis < target) {
                small.add(file);
                expected.put(file, millis);
            } else {
                groups.add(file);
            }
        }
        small.sort(Comparator.comparing(expected::get).reversed());
        List<List<DiscoveredTest>> packed = new ArrayList<>();
        List<Long> loads = new ArrayList<>();
        for (List<DiscoveredTest> file : small) {
            int bin = 0;
            while (bin < packed.size() && loads.get(bin) + expected.get(file) > target) {
                bin++;
            }
            if (bin == packed.size()) {
                packed.add(new ArrayList<>());
                loads.add(0L);
            }
            packed.get(bin).addAll(file);
            loads.set(bin, loads.get(bin) + expected.get(file));
        }
        groups.addAll(packed);
        return groups;
    }

    /** A pytest node id's file, or a JUnit method's class. */
    private static String fileOf(String test) {
        int separator = test.contains("::") ? test.indexOf("::") : test.indexOf('#');
        return separator < 0 ? test : test.substring(0, separator);
    }

    /** New and last-failed groups first, then the longest expected; ties keep the listing's order. */
    private static List<List<DiscoveredTest>> order(List<List<DiscoveredTest>> groups, String suite,
                                                    SuiteHistory history) {
        Map<List<DiscoveredTest>, Long> expected = new IdentityHashMap<>(); // each group's, looked up once
        groups.forEach(group -> expected.put(group, expectedMillis(group, suite, history)));
        List<List<DiscoveredTest>> ordered = new ArrayList<>(groups);
        ordered.sort(Comparator.comparing(expected::get).reversed());
        return ordered;
    }

    private static long expectedMillis(List<DiscoveredTest> group, String suite, SuiteHistory history) {
        long sum = 0;
        for (DiscoveredTest test : group) {
            SuiteHistory.Entry last = history.last(suite, test.name()).orElse(null);
            if (last == null || last.failed()) {
                return UNKNOWN;
            }
            sum += last.millis();
        }
        return sum;
    }

    private static ContainerSpec jobSpec(SuiteSpec suite, ContainerSpec template, List<DiscoveredTest> group,
                                         int index, long seed) {
        DiscoveredTest first = group.get(0);
        List<String> command = switch (suite.kind()) {
            case PYTEST -> SuiteCommands.pytest(suite, group.stream().map(DiscoveredTest::name).toList());
            case JUNIT -> SuiteCommands.junit(suite, group.stream().map(DiscoveredTest::name).toList(),
                    template.limits().memoryBytes());
            case CTEST -> SuiteCommands.ctest(first.command(), first.skipCode(), first.willFail());
            default -> first.command();
        };
        Map<String, String> env = new LinkedHashMap<>(template.env());
        env.putAll(first.env());
        env.put("FLOTILLA_TEST", group.size() == 1 ? first.name() : String.join(" ", group.stream()
                .map(test -> fileOf(test.name())).distinct().toList()));
        env.put("FLOTILLA_TASK_INDEX", Integer.toString(index));
        env.put("FLOTILLA_SEED", Long.toUnsignedString(seed));
        return new ContainerSpec(command, template.layers(), env,
                first.workdir() == null ? template.workdir() : first.workdir(), template.network(),
                first.timeout() == null ? template.limits() : template.limits().withTimeout(first.timeout()),
                template.writable(), template.hostname(), template.stdinFile());
    }
}
