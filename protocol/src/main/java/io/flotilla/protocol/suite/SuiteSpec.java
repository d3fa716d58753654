package io.flotilla.protocol.suite;

import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.run.RunSpec;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A test suite to find and run. A run that carries one starts with a single job, the listing step, in the tests' own
 * container, so nothing on the submitting machine needs pytest, cmake or the test binaries; the scheduler reads what
 * it printed and expands the run into the tests' jobs ({@link SuitePlan}).
 *
 * @param kind how the suite lists and runs its tests
 * @param name the suite's name in the scheduler's timing history: runs of the same suite share it
 * @param targets what to list: pytest's paths and options, GoogleTest binaries, globs of plain executables, the
 *                commands of a command suite (each run by {@code /bin/sh -c}), or a JUnit suite's test class path
 *                (its directories are scanned for tests); ctest lists its working directory
 * @param include names to run, each a glob ({@code *}, {@code ?}) or a regular expression after {@code re:}; empty
 *                runs every test
 * @param exclude names to leave out, in the same forms; they win over {@code include}
 * @param marker a pytest marker expression ({@code -m}), a ctest label regular expression ({@code -L}) or a JUnit tag
 *               expression; empty for none
 * @param isolation how many tests share one container
 * @param shardSize with {@link Isolation#SHARD}, how many tests share one container
 * @param repeat how often each selected test runs, each time in a fresh container
 * @param listOnly list and select the tests, and run none: the expanded run ends at once, its jobs cancelled
 * @param groupMillis with {@link Isolation#FILE}, files (or classes) that the timing history knows to take less put
 *                    together into one container of about this many milliseconds, so that a suite of small files
 *                    does not pay an interpreter's or a JVM's start per file; 0 keeps one file per container, null
 *                    takes {@link #DEFAULT_GROUP_MILLIS} with per-file isolation
 * @param jvmArgs a JUnit suite's options for the test JVM ({@code --add-opens ...}, {@code -Dkey=value}), as
 *                Surefire's {@code argLine}; empty for none and for the other kinds
 */
public record SuiteSpec(Kind kind, String name, List<String> targets, List<String> include, List<String> exclude,
                        String marker, Isolation isolation, int shardSize, int repeat, boolean listOnly,
                        Long groupMillis, List<String> jvmArgs) {
    public static final int MAX_REPEAT = RunSpec.MAX_JOBS;
    public static final int MAX_TARGETS = 1000;
    /** Five seconds: an interpreter's or a JVM's start, 0.3 to 1 s, is then a small part of a container's time. */
    public static final long DEFAULT_GROUP_MILLIS = 5_000;
    public static final long MAX_GROUP_MILLIS = 3_600_000;

    /** The kinds of suite, each with its listing step and its test command. */
    public enum Kind {
        PYTEST(Isolation.FILE), CTEST(Isolation.TEST), GTEST(Isolation.TEST), EXEC(Isolation.TEST),
        COMMANDS(Isolation.TEST), JUNIT(Isolation.FILE);

        /**
         * Per test for C, GoogleTest and plain executables; per file for pytest and per class for JUnit, whose
         * interpreter or JVM start is costly.
         */
        public final Isolation defaultIsolation;

        Kind(Isolation defaultIsolation) {
            this.defaultIsolation = defaultIsolation;
        }

        /** Whether the tests of one container run in one process of the suite's runner (pytest, JUnit) or one by one. */
        public boolean runsManyTestsPerProcess() {
            return this == PYTEST || this == JUNIT;
        }
    }

    /** Which tests share a container (and, for pytest, an interpreter). */
    public enum Isolation {
        /** Each test in a container of its own. */
        TEST,
        /** The tests of one file (pytest) or class (JUnit) together. */
        FILE,
        /** Up to {@code shardSize} tests together. */
        SHARD
    }

    public SuiteSpec {
        InvalidSpecException.require(kind != null, "suite.kind", "a suite needs a kind: pytest, ctest, gtest, exec, "
                + "commands or junit");
        InvalidSpecException.require(name != null && !name.isBlank() && name.length() <= 256, "suite.name",
                "a suite needs a name of 1 to 256 characters");
        targets = List.copyOf(targets == null ? List.of() : targets);
        include = List.copyOf(include == null ? List.of() : include);
        exclude = List.copyOf(exclude == null ? List.of() : exclude);
        marker = marker == null ? "" : marker;
        isolation = isolation == null ? kind.defaultIsolation : isolation;
        repeat = repeat == 0 ? 1 : repeat;
        groupMillis = groupMillis != null ? groupMillis : isolation == Isolation.FILE ? DEFAULT_GROUP_MILLIS : 0L;
        jvmArgs = List.copyOf(jvmArgs == null ? List.of() : jvmArgs);
        InvalidSpecException.require(targets.size() <= MAX_TARGETS && targets.stream().allMatch(t -> t != null
                && !t.isEmpty() && t.indexOf('\0') < 0), "suite.targets", "targets must be at most " + MAX_TARGETS
                + " non-empty strings without NUL");
        InvalidSpecException.require(!targets.isEmpty() || kind == Kind.PYTEST || kind == Kind.CTEST,
                "suite.targets", kind.name().toLowerCase() + " suites need targets: "
                        + switch (kind) {
                            case GTEST -> "the GoogleTest binaries";
                            case EXEC -> "globs of the test executables";
                            case JUNIT -> "the test class path";
                            default -> "the commands";
                        });
        InvalidSpecException.require(marker.isEmpty() || kind == Kind.PYTEST || kind == Kind.CTEST
                || kind == Kind.JUNIT, "suite.marker", "markers are pytest markers, ctest labels or JUnit tags; "
                + kind.name().toLowerCase() + " suites have none");
        InvalidSpecException.require(marker.indexOf('\0') < 0, "suite.marker", "the marker must not contain NUL");
        InvalidSpecException.require(isolation != Isolation.FILE || kind.runsManyTestsPerProcess(),
                "suite.isolation", "per-file isolation is for pytest and JUnit (per class); "
                        + kind.name().toLowerCase() + " suites run per test or per shard");
        InvalidSpecException.require(isolation == Isolation.SHARD ? shardSize >= 1
                && shardSize <= RunSpec.MAX_JOBS_PER_CONTAINER : shardSize == 0, "suite.shardSize",
                isolation == Isolation.SHARD ? "shard size " + shardSize + " is outside 1 .. "
                        + RunSpec.MAX_JOBS_PER_CONTAINER : "a shard size goes only with shard isolation");
        InvalidSpecException.require(groupMillis == 0 || isolation == Isolation.FILE && groupMillis > 0
                && groupMillis <= MAX_GROUP_MILLIS, "suite.groupTime", isolation != Isolation.FILE
                ? "grouping files by their time is for per-file isolation" : "group time " + groupMillis
                + " ms is outside 0 .. " + MAX_GROUP_MILLIS);
        InvalidSpecException.require(jvmArgs.isEmpty() || kind == Kind.JUNIT, "suite.jvmArgs",
                "JVM options are for JUnit suites; " + kind.name().toLowerCase() + " suites run no JVM of ours");
        InvalidSpecException.require(jvmArgs.size() <= MAX_TARGETS && jvmArgs.stream().allMatch(a -> a != null
                && a.startsWith("-") && a.indexOf('\0') < 0), "suite.jvmArgs", "JVM options must be at most "
                + MAX_TARGETS + " options, each starting with '-', without NUL");
        InvalidSpecException.require(repeat >= 1 && repeat <= MAX_REPEAT, "suite.repeat",
                "repeat " + repeat + " is outside 1 .. " + MAX_REPEAT);
        selector(include, exclude); // compiles every filter, or names the one that does not compile
    }

    /** Which tests of this suite are selected, by name; the filters are compiled once, here. */
    public Predicate<String> selector() {
        return selector(include, exclude);
    }

    private static Predicate<String> selector(List<String> include, List<String> exclude) {
        List<Predicate<String>> included = include.stream().map(p -> matcher(p, "suite.include")).toList();
        List<Predicate<String>> excluded = exclude.stream().map(p -> matcher(p, "suite.exclude")).toList();
        return name -> (included.isEmpty() || included.stream().anyMatch(p -> p.test(name)))
                && excluded.stream().noneMatch(p -> p.test(name));
    }

    /** A name filter: a glob, or a regular expression after {@code re:} that must match the whole name. */
    private static Predicate<String> matcher(String pattern, String field) {
        InvalidSpecException.require(pattern != null && !pattern.isEmpty(), field, "a filter must not be empty");
        try {
            String regex = pattern.startsWith("re:") ? pattern.substring(3) : globToRegex(pattern);
            return Pattern.compile(regex).asMatchPredicate();
        } catch (PatternSyntaxException e) {
            throw new InvalidSpecException(field, "filter '" + pattern + "' is not a regular expression: "
                    + e.getDescription());
        }
    }

    private static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
