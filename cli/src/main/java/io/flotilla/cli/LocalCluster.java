package io.flotilla.cli;

/**
 * A single-node cluster running inside this process, for a command given no cluster to talk to. The distribution
 * provides it (the client itself knows only the API); closing it stops the node and removes its data.
 */
public interface LocalCluster extends AutoCloseable {
    /** The REST API's base URL. */
    String url();

    /**
     * Makes a directory of this machine a layer of the cluster's jobs by binding it read-only, with nothing packed,
     * copied or uploaded: the cluster runs its jobs on this same machine, so the directory is already where they run.
     *
     * @return the layer's key for a job's {@code layers}
     */
    String bindDirectory(java.nio.file.Path dir) throws java.io.IOException;

    /** How the distribution starts one. */
    @FunctionalInterface
    interface Starter {
        LocalCluster start() throws Exception;
    }
}
