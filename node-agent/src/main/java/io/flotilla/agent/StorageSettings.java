package io.flotilla.agent;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How much disk a node's stores may take, from {@code flotilla.storage}: kept output and blobs each have a maximum
 * age and a size budget, and the disk keeps some space free whatever the budgets say; an upload that would eat into
 * that space is refused.
 */
public record StorageSettings(Duration outputMaxAge, long outputBudget, Duration blobMaxAge, long blobBudget,
                              long minFree, Duration sweepInterval) {
    public static StorageSettings from(Config config) {
        Config storage = config.getConfig("flotilla.storage");
        return new StorageSettings(storage.getDuration("output-max-age"), storage.getBytes("output-budget"),
                storage.getDuration("blob-max-age"), storage.getBytes("blob-budget"), storage.getBytes("min-free"),
                storage.getDuration("sweep-interval"));
    }
}
