package io.flotilla.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server from the Debian {@code postgresql} package's binaries: a fresh database cluster in a
 * temporary directory, on a free loopback port, run as the {@code postgres} user (PostgreSQL refuses root).
 */
final class PostgresTestJournal implements TestJournal {
    private final Path dataDir;
    private final int port;
    private final Process server;

    private PostgresTestJournal(Path dataDir, int port, Process server) {
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
    }

    static TestJournal start(Path logDir) throws Exception {
        Path bin = binaries();
        Path dataDir = Files.createTempDirectory("flotilla-postgres-");
        run("chown", "postgres:postgres", dataDir.toString());
        run(asPostgres(bin.resolve("initdb").toString(), "-D", dataDir.resolve("db").toString(),
                "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder(asPostgres(bin.resolve("postgres").toString(),
                "-D", dataDir.resolve("db").toString(), "-p", Integer.toString(port), "-k", dataDir.toString(),
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off")).redirectErrorStream(true)
                .redirectOutput(logDir.resolve("postgres.log").toFile()).start();
        PostgresTestJournal journal = new PostgresTestJournal(dataDir, port, server);
        journal.awaitConnections();
        return journal;
    }

    /** The newest {@code /usr/lib/postgresql/N/bin}. */
    private static Path binaries() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            throw new IllegalStateException("no PostgreSQL server here: install the Debian package postgresql "
                    + "(bin/test does)");
        }
        try (Stream<Path> dirs = Files.list(versions)) {
            return dirs.filter(dir -> Files.isExecutable(dir.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no initdb under " + versions)).resolve("bin");
        }
    }

    /** The command run as the postgres user, with no process in between, so that signals reach it directly. */
    private static List<String> asPostgres(String... command) {
        List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres",
                "--init-groups"));
        full.addAll(List.of(command));
        return full;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        run(command.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    private String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private void awaitConnections() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try (Connection ignored = connect()) {
                return;
            } catch (SQLException notYet) {
                if (System.currentTimeMillis() > deadline || !server.isAlive()) {
                    throw new IllegalStateException("PostgreSQL did not start", notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", "");
    }

    /** How many events the scheduler journaled here. */
    long journaledEvents() throws SQLException {
        try (Connection connection = connect();
             ResultSet rows = connection.createStatement().executeQuery("select count(*) from event_journal")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Override
    public List<String> serverFlags() {
        return List.of("--journal-url", url(), "--journal-user", "postgres");
    }

    @Override
    public void close() throws Exception {
        server.destroy();
        if (!server.waitFor(30, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor();
        }
        run("rm", "-rf", dataDir.toString());
    }
}
