package io.flotilla.scheduler;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The scheduler's knobs, from {@code flotilla.scheduler} in the configuration.
 *
 * @param tick how often silent nodes are looked for
 * @param lease how long a node may stay silent before its attempts run again elsewhere
 * @param maxShardSize the most jobs sent to a node in one message
 * @param resultBatchDelay how long a result may wait to be journaled with others
 * @param maxResultBatch how many results are journaled at most in one write
 * @param snapshotEvery how many events apart the state is snapshotted, so that recovery replays at most that many
 */
public record SchedulerSettings(Duration tick, Duration lease, int maxShardSize, Duration resultBatchDelay,
                                int maxResultBatch, int snapshotEvery) {
    public static SchedulerSettings from(Config config) {
        Config scheduler = config.getConfig("flotilla.scheduler");
        return new SchedulerSettings(scheduler.getDuration("tick"), scheduler.getDuration("lease"),
                scheduler.getInt("max-shard-size"), scheduler.getDuration("result-batch-delay"),
                scheduler.getInt("max-result-batch"), scheduler.getInt("snapshot-every"));
    }
}
