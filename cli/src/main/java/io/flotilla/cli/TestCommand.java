package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.suite.SuiteSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flotilla test}: finds a suite's tests by a listing step in the tests' own container, runs each test (or
 * each file or shard of them) in a fresh container across the cluster, and reports each test's verdict, with the
 * flaky-test tools: repeats, stop after K failures, repeat until the first failure, retries that make FLAKY.
 */
@Command(name = "test", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a test suite, each test in its own container. KIND is pytest, ctest, gtest, exec, "
                + "commands or junit; TARGETS are pytest's paths, GoogleTest binaries, globs of executables, commands "
                + "or a JUnit test class path. "
                + "Exit status: 0 all passed, 1 a test failed (or was flaky, with --fail-on-flaky), 2 usage, "
                + "3 unreachable.")
public final class TestCommand extends ClientCommand {
    private static final int UNTIL_FAIL_RUNS = 100_000;

    @Parameters(index = "0", paramLabel = "KIND", description = "pytest, ctest, gtest, exec, commands or junit.")
    String kind;

    @Parameters(index = "1..*", paramLabel = "TARGETS", description = "What the suite lists; see KIND.")
    List<String> targets = new ArrayList<>();

    @Mixin
    ContainerOptions container;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The suite's name in the timing history (default: KIND and the working directory).")
    String name;

    @Option(names = {"-i", "--include"}, paramLabel = "PATTERN",
            description = "Run only tests whose name matches: a glob, or a regular expression after re:.")
    List<String> include = new ArrayList<>();

    @Option(names = {"-x", "--exclude"}, paramLabel = "PATTERN", description = "Leave out tests whose name matches.")
    List<String> exclude = new ArrayList<>();

    @Option(names = {"-m", "--marker"}, paramLabel = "EXPR",
            description = "A pytest marker expression, a ctest label regular expression or a JUnit tag expression.")
    String marker;

    @Option(names = "--isolation", paramLabel = "test|file|shard",
            description = "Tests per container: one (default for C), one file or class (default for pytest and "
                    + "JUnit), or a shard.")
    String isolation;

    @Option(names = "--shard-size", paramLabel = "N", description = "Tests per container with --isolation shard.")
    Integer shardSize;

    @Option(names = "--group-time", paramLabel = "DURATION",
            description = "With per-file isolation, files that the timing history knows to be shorter share a "
                    + "container of up to this long (default 5s; 0: one file per container).")
    String groupTime;

    @Option(names = "--jvm-arg", paramLabel = "ARG",
            description = "An option for a JUnit suite's test JVM, like --add-opens=... or -Dkey=value; repeatable.")
    List<String> jvmArgs = new ArrayList<>();

    @Option(names = "--maven", arity = "0..1", paramLabel = "DIR", fallbackValue = ".",
            description = "A Maven project's JUnit suite (default: this directory): Maven compiles its tests and names "
                    + "their class path, so no TARGETS; the tests run in DIR, as Surefire runs them.")
    Path maven;

    @Option(names = "--list", description = "Print the tests that would run, and run none.")
    boolean list;

    @Option(names = "--repeat", paramLabel = "N", description = "Run each test N times, each in a fresh container.")
    Integer repeat;

    @Option(names = "--stop-after", paramLabel = "K", description = "End the run after K failed jobs.")
    Integer stopAfter;

    @Option(names = "--until-fail", description = "Repeat until the first failure (at most --repeat, default "
            + UNTIL_FAIL_RUNS + " runs).")
    boolean untilFail;

    @Option(names = "--retries", paramLabel = "R",
            description = "Run a failed test again up to R times; one that then passes is FLAKY.")
    Integer retries;

    @Option(names = "--fail-on-flaky", description = "A FLAKY test fails the run.")
    boolean failOnFlaky;

    @Option(names = "--max-parallel", paramLabel = "N", description = "Run at most N of the jobs at once.")
    Integer maxParallel;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "Write a Surefire-style JUnit XML report.")
    Path junitXml;

    @Option(names = "--json", paramLabel = "FILE", description = "Write one JSON line per test attempt.")
    Path json;

    @Override
    int execute(PrintWriter out, PrintWriter err) throws Exception {
        SuiteSpec.Kind suiteKind = suiteKind();
        container.validate();
        MavenProject project = maven == null ? null : mavenProject(suiteKind, err);
        try (ClusterOptions.Connection connection = cluster.connect(err)) {
            FlotillaClient client = connection.client();
            Path scratch = project == null ? null : useMavenProject(project, connection);
            String runId;
            try {
                runId = client.submit(suiteRun(connection, err, suiteKind), null);
            } finally {
                if (scratch != null) {
                    new ProcessBuilder("rm", "-rf", scratch.toString()).start().waitFor();
                }
            }
            err.println("suite run " + runId + ": listing the " + kind + " tests");
            err.flush();
            RunFollower follower = new RunFollower(client, err, terminal());
            JsonNode run = client.run(runId);
            while (run.path("listing").asBoolean() && run.get("state").asText().equals("running")) {
                Thread.sleep(100);
                run = client.run(runId);
            }
            if (run.has("error")) {
                err.println("flotilla: " + run.get("error").asText());
                err.flush();
                return ExitCodes.FAILED;
            }
            if (list) {
                java.util.Set<String> tests = new java.util.LinkedHashSet<>(); // once each, however often repeated
                client.jobs(runId, null).forEach(job -> job.path("tests").forEach(test -> tests.add(test.asText())));
                tests.forEach(out::println);
                out.flush();
                return ExitCodes.PASSED;
            }
            JsonNode end = follower.await(runId);
            SuiteResults results = SuiteResults.of(client, runId, suiteKind, client.jobs(runId, null));
            end.path("disabledTests").forEach(test -> results.disabled.add(test.asText()));
            if (junitXml != null) {
                SuiteReports.junitXml(junitXml, suiteName(), results);
            }
            if (json != null) {
                SuiteReports.json(json, results);
            }
            if (repeat != null && repeat > 1 || untilFail) {
                SuiteReports.flaky(results, out);
            }
            SuiteReports.summary(results, runId, err);
            boolean cancelled = end.get("state").asText().equals("cancelled"); // also by --stop-after's failure
            return results.anyBad() || cancelled || failOnFlaky && results.anyFlaky() ? ExitCodes.FAILED
                    : ExitCodes.PASSED;
        }
    }

    /** With {@code --maven}: the project, its tests compiled, before any cluster is started. */
    private MavenProject mavenProject(SuiteSpec.Kind suiteKind, PrintWriter err)
            throws IOException, InterruptedException {
        if (suiteKind != SuiteSpec.Kind.JUNIT) {
            throw new UsageException("--maven is for a junit suite, not " + kind);
        }
        if (!targets.isEmpty()) {
            throw new UsageException("--maven names the class path itself: give no TARGETS with it, got '"
                    + targets.get(0) + "'");
        }
        return MavenProject.build(maven, err);
    }

    /**
     * The Maven project's class path as the targets, the project as a layer and the working directory, and the jars
     * outside it as layers: bound as they are on this process's own cluster, else only the class path's jars packed.
     *
     * @return a directory to remove once the run is submitted, or null
     */
    private Path useMavenProject(MavenProject project, ClusterOptions.Connection connection) throws IOException {
        targets.addAll(project.classPath());
        container.layers.add(project.dir().toString());
        if ("/".equals(container.workdir)) {
            container.workdir = project.dir().toString();
        }
        List<Path> outside = project.outsideJars();
        Path scratch = null;
        for (Path root : MavenProject.roots(outside)) {
            if (connection.local() != null && MavenProject.othersCanRead(root, outside)) {
                container.layers.add(root.toString());
            } else {
                scratch = scratch != null ? scratch : Files.createTempDirectory("flotilla-maven-");
                container.tars.add(MavenProject.packJars(root, outside, scratch) + ":" + root);
            }
        }
        return scratch;
    }

    private SuiteSpec.Kind suiteKind() {
        try {
            return SuiteSpec.Kind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("unknown suite kind '" + kind + "': pytest, ctest, gtest, exec, commands or "
                    + "junit");
        }
    }

    private String suiteName() {
        return name != null ? name : kind + ":" + container.workdir;
    }

    private ObjectNode suiteRun(ClusterOptions.Connection connection, PrintWriter err, SuiteSpec.Kind suiteKind)
            throws IOException {
        ObjectNode suite = FlotillaClient.JSON.createObjectNode().put("kind", kind).put("name", suiteName());
        targets.forEach(suite.putArray("targets")::add);
        include.forEach(suite.putArray("include")::add);
        exclude.forEach(suite.putArray("exclude")::add);
        if (marker != null) {
            suite.put("marker", marker);
        }
        if (isolation != null) {
            suite.put("isolation", isolation);
        }
        if (shardSize != null) {
            suite.put("shardSize", shardSize);
        }
        if (groupTime != null) {
            suite.put("groupTime", groupTime);
        }
        jvmArgs.forEach(suite.putArray("jvmArgs")::add);
        if (untilFail) {
            suite.put("repeat", repeat == null ? UNTIL_FAIL_RUNS : repeat).put("stopAfterFailures", 1);
        } else {
            if (repeat != null) {
                suite.put("repeat", repeat);
            }
            if (stopAfter != null) {
                suite.put("stopAfterFailures", stopAfter);
            }
        }
        suite.put("listOnly", list);
        LayerUploader uploader = new LayerUploader(connection, err);
        ObjectNode job = container.toJob(List.of("true"), uploader);
        job.remove("command");
        if (suiteKind == SuiteSpec.Kind.JUNIT) {
            ((ArrayNode) job.get("layers")).add(JUnitLauncherLayer.upload(uploader, targets));
        }
        suite.set("job", job);
        ObjectNode run = FlotillaClient.JSON.createObjectNode();
        run.set("suite", suite);
        if (retries != null) {
            run.put("retries", retries);
        }
        if (maxParallel != null) {
            run.put("maxParallel", maxParallel);
        }
        return run;
    }
}
