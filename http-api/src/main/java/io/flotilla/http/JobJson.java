package io.flotilla.http;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.job.LimitOptions;
import io.flotilla.protocol.job.NetworkMode;
import java.util.List;
import java.util.Map;

/**
 * A job as the REST API takes it: the program and its arguments, and every container option of
 * {@code flotilla exec} under the same names, with sizes and durations written as people write them. Only tar
 * layers, by digest, are accepted: a client has no business binding paths of the cluster's machines.
 */
record JobJson(List<String> command, List<LayerJson> layers, Map<String, String> env, String workdir,
               String network, String memory, Integer pids, Double cpus, String timeout, String killGrace,
               String outputLimit, Boolean writable, String hostname) {

    /** A tar layer already uploaded as a blob, mounted at {@code dest} (default {@code /}). */
    record LayerJson(String digest, String dest) {
    }

    /** The same job running another command: a suite's job gives only the container. */
    JobJson withCommand(List<String> other) {
        return new JobJson(other, layers, env, workdir, network, memory, pids, cpus, timeout, killGrace, outputLimit,
                writable, hostname);
    }

    /**
     * The container spec this describes.
     *
     * @param field where this job sits in the request, like {@code jobs[3]}, to name in errors
     * @throws InvalidSpecException naming the field at fault, under {@code field}
     * @throws NotAllowedException when the job asks for the host's network and the rules do not allow it
     */
    ContainerSpec toSpec(String field, SubmitRules rules) {
        try {
            InvalidSpecException.require(command != null && !command.isEmpty(), "command",
                    "a job needs a program to run");
            NetworkMode mode = network == null ? NetworkMode.NONE : NetworkMode.parse(network);
            if (mode == NetworkMode.HOST && !rules.hostNetwork()) {
                throw new NotAllowedException(field + ".network", "network: host is not allowed for this caller: a "
                        + "job on the host's network reaches every port of the node, so it needs a token with the "
                        + "host-network grant, or the admin role");
            }
            ContainerSpec.Builder builder = ContainerSpec.builder(command)
                    .network(mode)
                    .limits(rules.limits().apply(new LimitOptions(memory, pids, cpus, timeout, killGrace,
                            outputLimit)))
                    .writable(Boolean.TRUE.equals(writable));
            if (workdir != null) {
                builder.workdir(workdir);
            }
            if (hostname != null) {
                builder.hostname(hostname);
            }
            if (env != null) {
                env.forEach((name, value) -> {
                    InvalidSpecException.require(value != null, "env", "environment variable " + name + " is null");
                    builder.env(name, value);
                });
            }
            if (layers != null) {
                for (LayerJson layer : layers) {
                    InvalidSpecException.require(layer != null, "layers", "a layer is null");
                    builder.layer(new Layer.Tar(layer.digest(), layer.dest() == null ? "/" : layer.dest()));
                }
            }
            return builder.build();
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException(field + "." + e.field(), e.getMessage());
        }
    }
}
