package io.flotilla.scheduler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/** The scheduler's journal tables: created when missing, before the scheduler first writes to them. */
public final class Journal {
    private Journal() {
    }

    /** Creates the journal and snapshot tables in the configured database if they are not there yet. */
    public static void createSchemaIfMissing(ClassicActorSystemProvider system, Duration timeout) throws Exception {
        SchemaUtils.createIfNotExists(system).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
