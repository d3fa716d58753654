package io.flotilla.cli;

/**
 * A single-node cluster running inside this process, for a command given no cluster to talk to. The distribution
 * provides it (the client itself knows only the API); closing it stops the node and removes its data.
 */
public interface LocalCluster extends AutoCloseable {
    /** The REST API's base URL. */
    String url();

    /** How the distribution starts one. */
    @FunctionalInterface
    interface Starter {
        LocalCluster start() throws Exception;
    }
}
