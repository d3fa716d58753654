package io.flotilla.deploy;

import java.nio.file.Path;
import java.util.List;

/** A journal database for test clusters. It runs apart from the nodes and outlives them, as a real one would. */
interface TestJournal extends AutoCloseable {
    /** The {@code flotilla server} flags that point a node at this database. */
    List<String> serverFlags();

    /** Starts a journal database keeping its files under {@code dir}. */
    @FunctionalInterface
    interface Starter {
        TestJournal start(Path dir) throws Exception;
    }
}
