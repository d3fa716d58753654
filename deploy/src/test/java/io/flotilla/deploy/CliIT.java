package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client commands as users run them, against a real node over HTTP (an embedded node in this JVM serves as the
 * server) and in their zero-configuration embedded mode.
 */
class CliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path work;
    private static EmbeddedCluster server;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("flotilla-cli-it-");
        server = EmbeddedCluster.start(2);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
    }

    private static Distribution.Result flotilla(String... args) throws Exception {
        return Distribution.flotilla(work, Map.of(), List.of(args));
    }

    private static Distribution.Result onServer(String... args) throws Exception {
        return Distribution.flotilla(work, Map.of("FLOTILLA_URL", server.url()), List.of(args));
    }

    private static boolean failsOnPurpose(int job) {
        return job % 100 == 7;
    }

    /** The summary line's counts and the failed jobs it names. */
    private record Outcome(int status, String counts, Set<Integer> failed) {
        static Outcome of(Distribution.Result result) {
            Matcher counts = Pattern.compile("(\\d+ jobs, \\d+ passed, \\d+ failed, \\d+ cancelled)")
                    .matcher(result.stderr());
            assertTrue(counts.find(), result.toString());
            Set<Integer> failed = new HashSet<>();
            Matcher failure = Pattern.compile("FAILED job (\\d+): exit status 7").matcher(result.stderr());
            while (failure.find()) {
                failed.add(Integer.parseInt(failure.group(1)));
            }
            return new Outcome(result.status(), counts.group(1), failed);
        }
    }

    @Test
    void theSameTwoThousandJobsGiveTheSameResultsOnAServerAndEmbedded() throws Exception {
        StringBuilder jobs = new StringBuilder();
        for (int job = 0; job < 2000; job++) {
            jobs.append(failsOnPurpose(job)
                    ? "{\"command\": [\"sh\", \"-c\", \"echo job " + job + " fails >&2; exit 7\"]}\n"
                    : "{\"command\": [\"echo\", \"job " + job + "\"]}\n");
        }
        Path file = Files.writeString(work.resolve("jobs.ndjson"), jobs);

        Outcome onServer = Outcome.of(onServer("submit", "--ui", "plain", file.toString()));
        Outcome embedded = Outcome.of(flotilla("submit", "--ui", "plain", file.toString()));

        assertEquals(new Outcome(1, "2000 jobs, 1980 passed, 20 failed, 0 cancelled", Set.of(7, 107, 207, 307, 407,
                507, 607, 707, 807, 907, 1007, 1107, 1207, 1307, 1407, 1507, 1607, 1707, 1807, 1907)), onServer);
        assertEquals(onServer, embedded);
    }

    @Test
    void aBatchEstimatesPiWithinItsErrorNeverRunningMoreThanItsCap() throws Exception {
        String estimator = "awk -v seed=$FLOTILLA_SEED 'BEGIN { srand(seed % 2147483647); n = 1000;"
                + " for (i = 0; i < n; i++) { x = rand(); y = rand(); if (x * x + y * y < 1) c++ }"
                + " print ENVIRON[\"FLOTILLA_TASK_INDEX\"], seed, c, n }'";
        AtomicInteger mostRunning = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = new Thread(() -> watchRunning(mostRunning, done));
        watcher.start();
        Distribution.Result result;
        try {
            result = onServer("batch", "-n", "10000", "--max-parallel", "4", "--ui", "plain", "-o",
                    work.resolve("pi.ndjson").toString(), "--", "sh", "-c", estimator);
        } finally {
            done.set(true);
            watcher.join();
        }
        assertEquals(0, result.status(), result.toString());
        List<String> lines = Files.readAllLines(work.resolve("pi.ndjson"));
        assertEquals(10_000, lines.size());
        long inside = 0;
        long samples = 0;
        Set<String> seeds = new HashSet<>();
        for (int index = 0; index < lines.size(); index++) {
            JsonNode line = JSON.readTree(lines.get(index));
            assertEquals(index, line.get("job").asInt());
            String[] fields = line.get("output").asText().trim().split(" ");
            assertEquals(Integer.toString(index), fields[0], "each copy has its index");
            seeds.add(fields[1]);
            inside += Long.parseLong(fields[2]);
            samples += Long.parseLong(fields[3]);
        }
        assertEquals(10_000, seeds.size(), "each copy has a seed of its own");
        double pi = 4.0 * inside / samples;
        double standardError = 4 * Math.sqrt(Math.PI / 4 * (1 - Math.PI / 4) / samples);
        System.out.printf("pi from %d samples: %.5f (error %.5f, standard error %.5f); most running at once: %d%n",
                samples, pi, pi - Math.PI, standardError, mostRunning.get());
        assertTrue(Math.abs(pi - Math.PI) < 5 * standardError, "pi " + pi);
        assertTrue(mostRunning.get() >= 1 && mostRunning.get() <= 4, "at most 4 at once: " + mostRunning.get());
    }

    /** Samples the cluster's running jobs while the batch runs (it is the only run on the server then). */
    private static void watchRunning(AtomicInteger most, AtomicBoolean done) {
        HttpClient http = HttpClient.newHttpClient();
        while (!done.get()) {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/cluster")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                most.accumulateAndGet(JSON.readTree(body).get("runningJobs").asInt(), Math::max);
                Thread.sleep(20);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aRepeatStopsAtTheFirstFailureAndShowsItsOutput() throws Exception {
        // Fails about once in 5,000 runs: when the run's seed is a multiple of 5,000.
        Distribution.Result result = onServer("repeat", "-n", "20000", "--stop-after", "1", "--seed", "11",
                "--ui", "plain", "--", "sh", "-c",
                "if [ $(( ${FLOTILLA_SEED#-} % 5000 )) -eq 0 ]; then echo flaky at $FLOTILLA_TASK_INDEX; exit 1; fi");
        assertEquals(1, result.status(), result.toString());
        Matcher summary = Pattern.compile("runs: (\\d+), failures: (\\d+), failure rate: .* \\(95% interval .*\\), "
                + "stopped after").matcher(result.stdout());
        assertTrue(summary.find(), result.toString());
        assertTrue(Integer.parseInt(summary.group(1)) < 20_000, "it stopped early: " + result.stdout());
        assertTrue(result.stdout().contains("first failure: run "), result.toString());
        assertTrue(result.stdout().matches("(?s).*first failure: run (\\d+), exit status 1\\n    flaky at \\1\\n.*"),
                result.stdout());
    }

    @Test
    void aLayerDirectoryIsUploadedOnceAndSeenByTheJob() throws Exception {
        Path project = Files.createDirectories(work.resolve("project/data"));
        Files.writeString(project.resolve("greeting.txt"), "hello from the layer\n");
        Distribution.Result first = onServer("run", "--layer", project + ":/data", "--", "cat", "/data/greeting.txt");
        assertEquals(0, first.status(), first.toString());
        assertEquals("hello from the layer\n", first.stdout());
        assertTrue(first.stderr().contains("uploading layer sha256:"), first.toString());
        Distribution.Result second = onServer("run", "--layer", project + ":/data", "--", "cat", "/data/greeting.txt");
        assertEquals("hello from the layer\n", second.stdout());
        assertFalse(second.stderr().contains("uploading"), "the cluster had it: " + second);
    }

    /** A directory layer goes file by file: a run after one file of many changed uploads that file alone. */
    @Test
    void aChangedDirectoryUploadsOnlyTheFilesTheClusterLacks() throws Exception {
        Path project = Files.createDirectories(work.resolve("many/data"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(project.resolve("file-" + i + ".txt"), "content " + i + "\n".repeat(1000));
        }
        Distribution.Result first = onServer("run", "--layer", project + ":/data", "--", "cat", "/data/file-7.txt");
        assertEquals(0, first.status(), first.toString());
        assertTrue(first.stderr().contains(" bytes: 50 of 50 files, the cluster has the rest)"), first.toString());
        Files.writeString(project.resolve("file-7.txt"), "changed\n");
        Distribution.Result second = onServer("run", "--layer", project + ":/data", "--", "cat", "/data/file-7.txt");
        assertEquals("changed\n", second.stdout(), second.toString());
        assertTrue(second.stderr().contains("(8 bytes: 1 of 50 files, the cluster has the rest)"), second.toString());
    }

    /**
     * The command's own log is in the layer, and grows between the directory's reading and its upload (by the
     * command's "uploading" line): the layer holds each file as it was read, and the run goes on.
     */
    @Test
    void aFileThatGrowsWhileItsLayerIsUploadedIsSentAsItWasRead() throws Exception {
        Path logs = Files.createDirectories(work.resolve("logs"));
        Distribution.Result run = Distribution.flotilla(logs, Map.of("FLOTILLA_URL", server.url()),
                List.of("run", "--layer", logs + ":/logs", "--", "sh", "-c", "cat /logs/* | wc -c"));
        assertEquals(0, run.status(), run.toString());
        assertEquals("0\n", run.stdout(), "both logs were empty when they were read");
    }

    @Test
    void onItsOwnClusterALayerDirectoryIsBoundReadOnlyAsItIsNotUploaded() throws Exception {
        Path project = Files.createDirectories(work.resolve("bound/data"));
        Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(project.resolve("greeting.txt"), "hello from the bind\n");
        Path secret = Files.writeString(project.resolve("secret.txt"), "the owner's only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Distribution.Result run = flotilla("run", "--layer", project + ":/data", "--", "sh", "-c",
                "cat /data/greeting.txt; cat /data/secret.txt; echo changed > /data/greeting.txt");
        assertEquals(1, run.status(), run.toString());
        assertEquals("hello from the bind\ncat: /data/secret.txt: Permission denied\n"
                + "sh: 1: cannot create /data/greeting.txt: Read-only file system\n", run.stdout(),
                "read-only, and with the files' own modes: the jobs' user reads what any other user may");
        assertFalse(run.stderr().contains("uploading"), "nothing packed: " + run);
        Distribution.Result writable = flotilla("run", "--writable", "--layer", project + ":/data", "--", "sh", "-c",
                "echo new > /data/new.txt && cat /data/new.txt");
        assertEquals(0, writable.status(), writable.toString());
        assertEquals("new\n", writable.stdout());
        try (var files = Files.list(project)) {
            assertEquals(Set.of("greeting.txt", "secret.txt"),
                    files.map(file -> file.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "the jobs' writes, and their cluster's clean-up, left the directory as it was");
        }
        assertEquals("hello from the bind\n", Files.readString(project.resolve("greeting.txt")));
    }

    @Test
    void aDirectoryOtherUsersCannotReadIsCopiedEvenOnItsOwnCluster() throws Exception {
        Path project = Files.createDirectories(work.resolve("private/data"));
        Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(project.resolve("greeting.txt"), "hello from the copy\n");
        Distribution.Result run = flotilla("run", "--layer", project + ":/data", "--", "cat", "/data/greeting.txt");
        assertEquals(0, run.status(), run.toString());
        assertEquals("hello from the copy\n", run.stdout());
        assertTrue(run.stderr().contains(project + " is not readable by other users, as the jobs' user is: copying "
                + "it rather than binding it"), run.toString());
        assertTrue(run.stderr().contains("uploading layer sha256:"), run.toString());
    }

    @Test
    void aJUnitXmlReportNamesEachJobAndHowItEnded() throws Exception {
        Path jobs = Files.writeString(work.resolve("four.ndjson"), String.join("\n",
                "{\"command\": [\"echo\", \"fine & <well>\"]}",
                "{\"command\": [\"sh\", \"-c\", \"echo expected 2 got 3; exit 3\"]}",
                "{\"command\": [\"sleep\", \"30\"], \"timeout\": \"1s\"}",
                "{\"command\": [\"python3\", \"-c\", \"import ctypes; ctypes.string_at(0)\"]}"));
        Path xml = work.resolve("report.xml");
        Distribution.Result result = onServer("submit", "--ui", "plain", "--junit-xml", xml.toString(),
                jobs.toString());
        assertEquals(1, result.status(), result.toString());

        org.w3c.dom.Document report = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(xml.toFile());
        org.w3c.dom.Element suite = report.getDocumentElement();
        assertEquals("testsuite", suite.getTagName());
        assertEquals(List.of("4", "1", "2", "0"), List.of(suite.getAttribute("tests"), suite.getAttribute("failures"),
                suite.getAttribute("errors"), suite.getAttribute("skipped")));
        org.w3c.dom.NodeList cases = suite.getElementsByTagName("testcase");
        assertEquals("echo fine & <well>", ((org.w3c.dom.Element) cases.item(0)).getAttribute("name"));
        assertEquals("fine & <well>\n", ((org.w3c.dom.Element) cases.item(0)).getElementsByTagName("system-out")
                .item(0).getTextContent());
        org.w3c.dom.Element failure = (org.w3c.dom.Element) ((org.w3c.dom.Element) cases.item(1))
                .getElementsByTagName("failure").item(0);
        assertEquals("exit status 3", failure.getAttribute("message"));
        assertEquals("timed_out", ((org.w3c.dom.Element) ((org.w3c.dom.Element) cases.item(2))
                .getElementsByTagName("error").item(0)).getAttribute("type"));
        assertEquals("killed by signal 11", ((org.w3c.dom.Element) ((org.w3c.dom.Element) cases.item(3))
                .getElementsByTagName("error").item(0)).getAttribute("message"));
    }

    @Test
    void logsPrintAJobsWholeOutputOrEachFailedJobsOutput() throws Exception {
        java.net.http.HttpResponse<String> submitted = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/v1/runs"))
                        .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                                .ofString("{\"runId\": \"logged\", \"jobs\": [{\"command\": [\"seq\", \"1\", "
                                        + "\"50000\"]}, {\"command\": [\"sh\", \"-c\", \"echo out; echo broken >&2; "
                                        + "exit 3\"]}]}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, submitted.statusCode(), submitted.body());
        assertEquals(1, onServer("watch", "--ui", "plain", "logged").status());

        Distribution.Result whole = onServer("logs", "logged:0");
        assertEquals(0, whole.status(), whole.stderr());
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 50_000).mapToObj(i -> i + "\n")
                .collect(java.util.stream.Collectors.joining()), whole.stdout(), "all 288,894 bytes, not a tail");
        assertEquals("broken\n", onServer("logs", "--stderr", "logged:1").stdout());
        assertEquals("== job 1: failed ==\nout\nbroken\n", onServer("logs", "logged").stdout());
        java.net.http.HttpResponse<String> queued = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/v1/runs"))
                        .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers
                                .ofString("{\"runId\": \"queued\", \"maxParallel\": 1, \"jobs\": [{\"command\": "
                                        + "[\"sleep\", \"3\"]}, {\"command\": [\"sh\", \"-c\", \"echo second; "
                                        + "sleep 1; echo done\"]}]}")).build(), java.net.http.HttpResponse.BodyHandlers
                        .ofString());
        assertEquals(202, queued.statusCode(), queued.body());
        Distribution.Result followed = onServer("logs", "--follow", "queued:1");
        assertEquals(0, followed.status(), followed.stderr());
        assertEquals("second\ndone\n", followed.stdout(), "a follow of a job still waiting for its turn waits");
        Distribution.Result noSuchJob = onServer("logs", "logged:2");
        assertEquals(2, noSuchJob.status());
        assertEquals("flotilla: the cluster refused: no job logged:2 (jobId)\n", noSuchJob.stderr());
    }

    @Test
    void theDemoRunsEachTestInItsContainerThenCatchesTheFlakyOneOnAnEmbeddedCluster() throws Exception {
        Distribution.Result demo = flotilla("demo", "--ui", "plain");
        assertEquals(0, demo.status(), demo.toString());
        assertTrue(demo.stderr().contains("starting a single-node cluster here"), demo.stderr());
        Matcher summary = Pattern.compile("demo done: 7 tests ran in 7 containers \\((\\d) passed, (\\d) failed\\); "
                + "the flaky test was caught failing in run (\\d+) of the hunt").matcher(demo.stdout());
        assertTrue(summary.find(), demo.toString());
        assertTrue(summary.group(1).equals("6") || summary.group(1).equals("5"), "the flaky test may fail here too");
        assertTrue(demo.stderr().matches("(?s).*FAILED job 2: exit status 1\n    overflow_test: 21! overflowed to "
                + "-4249290049419214848\n.*"), demo.stderr());
        assertTrue(demo.stdout().matches("(?s).*runs: \\d+, failures: 1, failure rate: .*stopped after 1 failure\n"
                + "first failure: run \\d+, exit status 1\n    flaky_test: cache returned a stale entry \\(seed "
                + "-?\\d+\\)\n.*"), demo.stdout());
    }

    @Test
    void usageErrorsAre2AndAnUnreachableClusterIs3() throws Exception {
        List<Distribution.Result> usage = new ArrayList<>(List.of(
                flotilla("run", "--memory", "1k", "--", "true"),
                flotilla("submit", work.resolve("no-such-file").toString()),
                flotilla("status", "some-run"),
                flotilla("run", "--bogus", "--", "true"),
                flotilla("repeat", "--", "true")));
        for (Distribution.Result result : usage) {
            assertEquals(2, result.status(), result.toString());
            assertTrue(result.stderr().startsWith("flotilla: "), result.toString());
            assertFalse(result.stderr().contains("Exception"), result.toString());
        }
        Distribution.Result unreachable = flotilla("status", "--cluster", "http://127.0.0.1:9", "some-run");
        assertEquals(3, unreachable.status(), unreachable.toString());
        assertEquals("flotilla: no cluster answers at http://127.0.0.1:9\n", unreachable.stderr());
        Distribution.Result unknown = onServer("status", "no-such-run");
        assertEquals(2, unknown.status());
        assertEquals("flotilla: the cluster refused: no run no-such-run (runId)\n", unknown.stderr());
    }
}
