package io.flotilla.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Server nodes as separate JVM processes on loopback, started from the built distribution like
 * {@code flotilla server}, talking to each other over mutually authenticated TLS. Their journal is a database that
 * outlives any node, as it would in a real cluster: H2 in server mode, run by this JVM, unless a test asks for
 * another.
 */
final class ClusterNodes implements AutoCloseable {
    static final String CLUSTER = "flotilla-it";

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Integer> httpPorts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final TestJournal journal;
    private final List<String> serverArgs = new ArrayList<>();

    ClusterNodes(int count) throws Exception {
        this(count, H2TestJournal::start);
    }

    ClusterNodes(int count, TestJournal.Starter journalStarter) throws Exception {
        dir = Files.createTempDirectory("flotilla-cluster-");
        journal = journalStarter.start(dir);
        // Should this JVM die before close(), its node processes must not outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.stream().filter(p -> p != null)
                .forEach(Process::destroyForcibly)));
        for (int i = 0; i < count; i++) {
            ports.add(freePort());
            httpPorts.add(freePort());
            processes.add(null);
        }
    }

    int seedPort() {
        return ports.get(0);
    }

    String address(int node) {
        return "127.0.0.1:" + ports.get(node);
    }

    /** Where node {@code node} serves its REST API. */
    String httpUrl(int node) {
        return "http://127.0.0.1:" + httpPorts.get(node);
    }

    /**
     * Waits until node {@code node} serves HTTP: a node is Up in the cluster before it has bound its API (it first
     * makes sure the journal's tables exist).
     */
    void awaitHttp(int node) throws InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long giveUpAt = System.currentTimeMillis() + ClusterClient.PATIENCE.toMillis();
        while (System.currentTimeMillis() < giveUpAt) {
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(httpUrl(node) + "/healthz"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node " + node + " does not serve HTTP at " + httpUrl(node));
    }

    Process process(int node) {
        return processes.get(node);
    }

    /** Starts (or restarts, on the same address) node {@code node}; nodes 0 and 1 are the seeds. */
    void start(int node, int slots) throws IOException {
        Path data = dir.resolve("node-" + node); // the node makes it, private
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", Path.of("target", "flotilla", "lib").toAbsolutePath() + "/*", Main.class.getName(), "server",
                "--cluster-name", CLUSTER, "--port", ports.get(node).toString(),
                "--http-port", httpPorts.get(node).toString(),
                "--seed", address(0) + "," + address(Math.min(1, ports.size() - 1)),
                "--slots", Integer.toString(slots), "--data-dir", data.toString(),
                "--tls-dir", TestCertificates.node().toString()));
        command.addAll(journal.serverFlags());
        command.addAll(serverArgs);
        Path log = dir.resolve("node-" + node + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(journal.serverEnvironment());
        processes.set(node, builder.start());
    }

    /** More {@code flotilla server} options for every node started after this. */
    void addServerArgs(String... args) {
        serverArgs.addAll(List.of(args));
    }

    /** Starts every node at once. */
    void startAll(int slots) throws IOException {
        for (int node = 0; node < processes.size(); node++) {
            start(node, slots);
        }
    }

    /** Starts node 0 first, so that it is the oldest and hosts the scheduler, then the others. */
    void startOldestFirst(int slots) throws IOException, InterruptedException {
        start(0, slots);
        Thread.sleep(3000);
        for (int node = 1; node < processes.size(); node++) {
            start(node, slots);
        }
    }

    TestJournal journal() {
        return journal;
    }

    Path log(int node) {
        return dir.resolve("node-" + node + ".log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (Process process : processes) {
            if (process != null) {
                process.destroy();
            }
        }
        for (Process process : processes) {
            if (process != null && !process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        journal.close();
        Path kept = Files.createDirectories(Path.of("target", "cluster-logs"));
        for (int node = 0; node < processes.size(); node++) {
            if (Files.exists(log(node))) {
                Files.copy(log(node), kept.resolve(dir.getFileName() + "-node-" + node + ".log"));
            }
        }
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
}
