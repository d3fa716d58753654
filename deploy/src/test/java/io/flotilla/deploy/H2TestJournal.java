package io.flotilla.deploy;

import java.nio.file.Path;
import java.util.List;
import org.h2.tools.Server;

/** H2 in server mode, run inside the test JVM. */
final class H2TestJournal implements TestJournal {
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
        return List.of("--journal-url", "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/journal");
    }

    @Override
    public void close() {
        server.stop();
    }
}
