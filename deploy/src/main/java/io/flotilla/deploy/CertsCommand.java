package io.flotilla.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flotilla certs}: makes the cluster's certificate authority and each node's certificate, so that the nodes
 * talk over mutually authenticated TLS (see {@link ClusterCertificates} and docs/security.md).
 */
@Command(name = "certs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Makes the certificates that let nodes, and only they, join the cluster.",
        subcommands = {CertsCommand.Authority.class, CertsCommand.Node.class})
final class CertsCommand implements Runnable {
    @Override
    public void run() {
        throw new IllegalArgumentException("say 'flotilla certs authority DIR' or 'flotilla certs node ...'");
    }

    @Command(name = "authority", mixinStandardHelpOptions = true,
            description = "Makes the cluster's certificate authority in DIR. Keep DIR (it holds the authority's key) "
                    + "off the nodes.")
    static final class Authority implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Where to make it; it must not hold one already.")
        Path dir;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "Flotilla cluster CA",
                description = "The authority's name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--days", paramLabel = "N", defaultValue = "3650",
                description = "How long it is valid (default: ${DEFAULT-VALUE} days).")
        int days;

        @Override
        public Integer call() throws Exception {
            ClusterCertificates.createAuthority(dir, name, days);
            System.out.println("certificate authority in " + dir + ": give " + dir.resolve(ClusterCertificates.CA_CERT)
                    + " to clients; keep the rest off the nodes");
            return 0;
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Issues a node's key and certificate into OUT, for 'flotilla server --tls-dir OUT'.")
    static final class Node implements Callable<Integer> {
        @Option(names = "--authority", paramLabel = "DIR", required = true,
                description = "The authority's directory, from 'flotilla certs authority'.")
        Path authority;

        @Option(names = "--host", paramLabel = "HOST", required = true,
                description = "A name or address other nodes reach this one at, as its --host says; repeatable.")
        List<String> hosts = new ArrayList<>();

        @Option(names = "--days", paramLabel = "N", defaultValue = "825",
                description = "How long it is valid (default: ${DEFAULT-VALUE} days).")
        int days;

        @Parameters(paramLabel = "OUT", description = "The node's directory; it must not hold a key already.")
        Path out;

        @Override
        public Integer call() throws Exception {
            ClusterCertificates.issue(authority, out, hosts.get(0), hosts, days);
            System.out.println("node certificate for " + String.join(", ", hosts) + " in " + out);
            return 0;
        }
    }
}
