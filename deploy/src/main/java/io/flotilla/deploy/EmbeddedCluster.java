package io.flotilla.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.cli.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A single-node cluster inside this process: the zero-configuration way to use Flotilla on one machine. It lives in
 * a temporary data directory, listens on free loopback ports, journals to an H2 file there, and leaves nothing behind
 * when closed.
 */
public final class EmbeddedCluster implements LocalCluster {
    private final Path dataDir;
    private final FlotillaNode node;

    private EmbeddedCluster(Path dataDir, FlotillaNode node) {
        this.dataDir = dataDir;
        this.node = node;
    }

    /** Starts the node with {@code slots} slots and waits until its API answers. */
    public static EmbeddedCluster start(int slots) throws Exception {
        return start(slots, Map.of());
    }

    /** The same, with configuration settings of the caller's over the embedded defaults. */
    public static EmbeddedCluster start(int slots, Map<String, Object> settings) throws Exception {
        Path dataDir = Files.createTempDirectory("flotilla-embedded-");
        Config config = ConfigFactory.parseMap(settings).withFallback(ConfigFactory.parseMap(Map.ofEntries(
                Map.entry("flotilla.cluster-name", "flotilla-embedded"),
                Map.entry("flotilla.data-dir", dataDir.toString()),
                Map.entry("flotilla.http.port", 0),
                Map.entry("pekko.remote.artery.canonical.hostname", "127.0.0.1"),
                Map.entry("pekko.remote.artery.canonical.port", 0),
                Map.entry("pekko.cluster.seed-nodes", List.of()),
                // This process owns the node: closing it must not end the JVM.
                Map.entry("pekko.coordinated-shutdown.exit-jvm", "off"),
                Map.entry("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"),
                // Alone in its cluster, the node has nobody to leave to or hand the scheduler over to.
                Map.entry("pekko.coordinated-shutdown.phases.cluster-exiting.timeout", "1s"),
                Map.entry("pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout", "1s"),
                // A leader acting every 200 ms rather than every second makes the lone node up (and the scheduler
                // start) sooner, and lets it leave without waiting out the exiting phase.
                Map.entry("pekko.cluster.gossip-interval", "200ms"),
                Map.entry("pekko.cluster.leader-actions-interval", "200ms"),
                Map.entry("pekko.loglevel", "ERROR"))))
                .withFallback(ConfigFactory.defaultApplication());
        try {
            return new EmbeddedCluster(dataDir, FlotillaNode.start(ConfigFactory.load(config), slots));
        } catch (Exception e) {
            deleteTree(dataDir);
            throw e;
        }
    }

    @Override
    public String url() {
        return node.httpUrl();
    }

    @Override
    public String bindDirectory(Path dir) throws java.io.IOException {
        return node.bindHostLayer(dir);
    }

    /** Where the node keeps its state: the journal, the layer and blob caches, job output. */
    public Path dataDir() {
        return dataDir;
    }

    public FlotillaNode node() {
        return node;
    }

    @Override
    public void close() throws Exception {
        node.system().terminate();
        node.awaitTermination();
        deleteTree(dataDir);
    }

    private static void deleteTree(Path dir) throws Exception {
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
}
