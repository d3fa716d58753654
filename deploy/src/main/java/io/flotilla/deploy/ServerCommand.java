package io.flotilla.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla server}: one cluster node on this machine, with a node agent and, if it is the oldest node, the
 * scheduler. Every flag has an environment variable; both override {@code application.conf}.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a Flotilla cluster node on this machine. With no seeds it forms a cluster by itself.")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "${env:FLOTILLA_CLUSTER_NAME:-flotilla}",
            description = "Nodes join only a cluster of their own name (env FLOTILLA_CLUSTER_NAME; default flotilla).")
    String clusterName;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "${env:FLOTILLA_HOST:-127.0.0.1}",
            description = "The address other nodes reach this one at (env FLOTILLA_HOST; default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:FLOTILLA_PORT:-2551}",
            description = "The cluster port (env FLOTILLA_PORT; default 2551).")
    int port;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:FLOTILLA_HTTP_PORT:-8600}",
            description = "The REST API's port, on the same address (env FLOTILLA_HTTP_PORT; default 8600).")
    int httpPort;

    @Option(names = "--seed", paramLabel = "HOST:PORT", split = ",", defaultValue = "${env:FLOTILLA_SEEDS}",
            description = "A node to join through; repeatable (env FLOTILLA_SEEDS, comma-separated). None: this node "
                    + "starts a cluster of its own.")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--role", paramLabel = "ROLE", split = ",", defaultValue = "${env:FLOTILLA_ROLES:-worker}",
            description = "Cluster roles (env FLOTILLA_ROLES; default worker). Only workers run jobs and the scheduler.")
    List<String> roles = new ArrayList<>();

    @Option(names = "--slots", paramLabel = "N", defaultValue = "${env:FLOTILLA_SLOTS:-0}",
            description = "Jobs run at once (env FLOTILLA_SLOTS; default: the number of cores).")
    int slots;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:FLOTILLA_DATA_DIR}",
            description = "Layer cache, sandbox state and the H2 journal (env FLOTILLA_DATA_DIR; "
                    + "default ~/.local/share/flotilla).")
    Path dataDir;

    @Option(names = "--journal-url", paramLabel = "JDBC_URL", defaultValue = "${env:FLOTILLA_JOURNAL_URL}",
            description = "The scheduler's journal, shared by all nodes (env FLOTILLA_JOURNAL_URL; default an H2 file "
                    + "in the data directory).")
    String journalUrl;

    @Option(names = "--journal-user", paramLabel = "USER", defaultValue = "${env:FLOTILLA_JOURNAL_USER}",
            description = "The journal database's user (env FLOTILLA_JOURNAL_USER). Its password is read from the "
                    + "environment only, FLOTILLA_JOURNAL_PASSWORD.")
    String journalUser;

    @Option(names = "--tls-dir", paramLabel = "DIR", defaultValue = "${env:FLOTILLA_TLS_DIR}",
            description = "The node's certificate, from 'flotilla certs node' (env FLOTILLA_TLS_DIR). With it the "
                    + "cluster's traffic is mutually authenticated TLS, and the REST API HTTPS unless on loopback.")
    Path tlsDir;

    @Option(names = "--repositories", paramLabel = "FILE", defaultValue = "${env:FLOTILLA_REPOSITORIES}",
            description = "The repositories whose GitHub and GitLab webhooks this cluster takes, with their "
                    + "secrets (env FLOTILLA_REPOSITORIES; see docs/ci.md). None: every delivery is refused.")
    Path repositories;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, got " + port);
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("--http-port must be 0 to 65535, got " + httpPort);
        }
        if (slots < 0) {
            throw new IllegalArgumentException("--slots must be at least 1, got " + slots);
        }
        FlotillaNode node = FlotillaNode.start(config(), slots == 0 ? Runtime.getRuntime().availableProcessors()
                : slots);
        node.awaitTermination();
        return 0;
    }

    Config config() {
        Map<String, Object> settings = new HashMap<>();
        settings.put("flotilla.cluster-name", clusterName);
        settings.put("pekko.remote.artery.canonical.hostname", host);
        settings.put("pekko.remote.artery.canonical.port", port);
        settings.put("flotilla.http.port", httpPort);
        List<String> seedNodes = new ArrayList<>();
        for (String seed : seeds.isEmpty() ? List.of(host + ":" + port) : seeds) {
            if (!seed.matches("[^:]+:\\d+")) {
                throw new IllegalArgumentException("--seed wants HOST:PORT, got '" + seed + "'");
            }
            seedNodes.add("pekko://" + clusterName + "@" + seed);
        }
        settings.put("pekko.cluster.seed-nodes", seedNodes);
        settings.put("pekko.cluster.roles", roles);
        if (dataDir != null) {
            settings.put("flotilla.data-dir", dataDir.toAbsolutePath().toString());
        }
        if (journalUrl != null && !journalUrl.isBlank()) {
            settings.putAll(JournalDatabase.of(journalUrl).settings(journalUrl));
        }
        if (tlsDir != null) {
            settings.put("flotilla.tls.dir", tlsDir.toAbsolutePath().toString());
        }
        if (repositories != null) {
            settings.put("flotilla.ci.repositories-file", repositories.toAbsolutePath().toString());
        }
        if (journalUser != null && !journalUser.isBlank()) {
            settings.put("flotilla.journal.user", journalUser);
        }
        String password = System.getenv("FLOTILLA_JOURNAL_PASSWORD");
        if (password != null) {
            settings.put("flotilla.journal.password", password);
        }
        return ConfigFactory.load(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultApplication()));
    }
}
