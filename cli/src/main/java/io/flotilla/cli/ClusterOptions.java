package io.flotilla.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * Where a command runs: the cluster at {@code --cluster} or {@code FLOTILLA_URL}, or, when neither is given, a
 * single-node cluster started in this process for the length of the command.
 */
public final class ClusterOptions {
    private static volatile LocalCluster.Starter localClusters;

    @Option(names = "--cluster", paramLabel = "URL", defaultValue = "${env:FLOTILLA_URL}",
            description = "The cluster's REST API, like http://10.0.0.1:8600 (env FLOTILLA_URL). Without it the "
                    + "command starts a single-node cluster of its own.")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:FLOTILLA_TOKEN}",
            description = "A bearer token for the cluster (env FLOTILLA_TOKEN).")
    String token;

    @Option(names = "--ca", paramLabel = "FILE", defaultValue = "${env:FLOTILLA_CA}",
            description = "The certificate of the cluster's authority (ca.crt from 'flotilla certs'), to check an "
                    + "https cluster by (env FLOTILLA_CA).")
    java.nio.file.Path ca;

    /** Lets commands start a cluster in this process; the distribution calls this once at start. */
    public static void useLocalClusters(LocalCluster.Starter starter) {
        localClusters = starter;
    }

    /** A connection to the named cluster, or to one started here when none is named. */
    Connection connect(PrintWriter err) throws Exception {
        if (url != null && !url.isBlank()) {
            return new Connection(client(), null);
        }
        if (localClusters == null) {
            throw new UsageException("no cluster named: give --cluster URL or set FLOTILLA_URL");
        }
        err.println("flotilla: no cluster named (--cluster, FLOTILLA_URL): starting a single-node cluster here");
        err.flush();
        LocalCluster local = localClusters.start();
        return new Connection(new FlotillaClient(local.url(), null, null), local);
    }

    /** A connection to a cluster that must outlive this command: one started here would not. */
    FlotillaClient remote() {
        if (url == null || url.isBlank()) {
            throw new UsageException("this command needs a cluster that outlives it: give --cluster URL or set "
                    + "FLOTILLA_URL");
        }
        return client();
    }

    private FlotillaClient client() {
        return new FlotillaClient(url, token, ca == null ? null : ClusterTrust.of(ca));
    }

    /** A client, and the cluster this process started for it, if it did. */
    record Connection(FlotillaClient client, LocalCluster local) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (local != null) {
                local.close();
            }
        }
    }
}
