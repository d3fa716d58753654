package io.flotilla.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.h2.tools.Server;

/** H2 in server mode, run inside the test JVM; its database has a user with a password, as a listener must. */
final class H2TestJournal implements TestJournal {
    private static final String PASSWORD = "test-journal-" + Long.toHexString(new java.security.SecureRandom()
            .nextLong());

    private final Server server;

    private H2TestJournal(Server server) {
        this.server = server;
    }

    static TestJournal start(Path dir) throws Exception {
        return new H2TestJournal(Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toString(), "-ifNotExists")
                .start());
    }

    @Override
    public List<String> serverFlags() {
        return List.of("--journal-url", "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/journal",
                "--journal-user", "flotilla");
    }

    @Override
    public Map<String, String> serverEnvironment() {
        return Map.of("FLOTILLA_JOURNAL_PASSWORD", PASSWORD);
    }

    @Override
    public void close() {
        server.stop();
    }
}
