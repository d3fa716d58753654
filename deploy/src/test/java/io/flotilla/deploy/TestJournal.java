package io.flotilla.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A journal database for test clusters. It runs apart from the nodes and outlives them, as a real one would. */
interface TestJournal extends AutoCloseable {
    /** The {@code flotilla server} flags that point a node at this database. */
    List<String> serverFlags();

    /** What the node's environment needs for it: the password, which never goes on a command line. */
    default Map<String, String> serverEnvironment() {
        return Map.of();
    }

    /** Starts a journal database keeping its files under {@code dir}. */
    @FunctionalInterface
    interface Starter {
        TestJournal start(Path dir) throws Exception;
    }
}
