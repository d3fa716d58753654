package io.flotilla.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.LimitOptions;
import io.flotilla.protocol.job.NetworkMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The container options every command that runs jobs shares with {@code flotilla exec}: the same names, the same
 * meanings, the same refusals.
 */
public final class ContainerOptions {
    @Option(names = "--layer", paramLabel = "DIR[:DEST]",
            description = "Make a directory of this machine visible read-only at DEST (default: the same path): "
                    + "exec, and a command on the cluster it starts itself, bind it; a named cluster gets it uploaded "
                    + "as a layer.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--tar", paramLabel = "FILE[:DEST]",
            description = "Unpack a tar or tar.gz and mount it read-only at DEST (default /: each top-level entry "
                    + "at the root).")
    List<String> tars = new ArrayList<>();

    @Option(names = "--net", paramLabel = "MODE", defaultValue = "none",
            description = "none (default), loopback, or host.")
    String network;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Memory limit, like 512m or 2g.")
    String memory;

    @Option(names = "--pids", paramLabel = "N", description = "Most processes and threads at once.")
    Integer pids;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU limit in cores, like 0.5 or 2.")
    Double cpus;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Wall-clock limit, like 30s or 5m.")
    String timeout;

    @Option(names = "--kill-grace", paramLabel = "DURATION",
            description = "Time between SIGTERM and SIGKILL after a timeout (default 2s).")
    String killGrace;

    @Option(names = "--writable", description = "Let the job write to its root and layers; writes vanish after it.")
    boolean writable;

    @Option(names = "--env", paramLabel = "K=V", description = "Set an environment variable (the default is PATH only).")
    List<String> env = new ArrayList<>();

    @Option(names = "--workdir", paramLabel = "DIR", defaultValue = "/", description = "Working directory inside.")
    String workdir;

    @Option(names = "--output-limit", paramLabel = "SIZE",
            description = "Keep at most SIZE of stdout and of stderr (default 64m); the rest is counted and dropped.")
    String outputLimit;

    @Option(names = "--hostname", paramLabel = "NAME", defaultValue = "flotilla", description = "The job's hostname.")
    String hostname;

    public LimitOptions limits() {
        return new LimitOptions(memory, pids, cpus, timeout, killGrace, outputLimit);
    }

    /** The {@code --env} pairs, in order; a pair without '=' is refused. */
    public Map<String, String> environment() {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String pair : env) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new InvalidSpecException("env", "--env wants NAME=VALUE, got '" + pair + "'");
            }
            pairs.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return pairs;
    }

    public String network() {
        return network;
    }

    public String workdir() {
        return workdir;
    }

    public boolean writable() {
        return writable;
    }

    public String hostname() {
        return hostname;
    }

    /** Each {@code --layer} as (the directory, where it goes). */
    public List<String[]> hostLayers() {
        return split(layers, null);
    }

    /** Each {@code --tar} as (the file, where it goes). */
    public List<String[]> tarLayers() {
        return split(tars, "/");
    }

    private static List<String[]> split(List<String> values, String defaultDest) {
        List<String[]> pairs = new ArrayList<>();
        for (String value : values) {
            String[] parts = value.split(":", 2);
            String source = Path.of(parts[0]).toAbsolutePath().normalize().toString();
            pairs.add(new String[] {source, parts.length > 1 ? parts[1] : defaultDest == null ? source : defaultDest});
        }
        return pairs;
    }

    /** Refuses bad limits, environment or network here, before a cluster is started or a layer uploaded. */
    public void validate() {
        limits().toLimits();
        environment();
        NetworkMode.parse(network);
    }

    /**
     * The job as the REST API takes it, once {@link #validate()} has passed. Layers are uploaded first when the cluster lacks them: a directory is
     * packed into a deterministic tar, so the same tree has the same digest on every machine.
     */
    ObjectNode toJob(List<String> command, LayerUploader uploader) {
        ObjectNode job = FlotillaClient.JSON.createObjectNode();
        ArrayNode argv = job.putArray("command");
        command.forEach(argv::add);
        ArrayNode layerList = job.putArray("layers");
        for (String[] layer : hostLayers()) {
            layerList.addObject().put("digest", uploader.directory(Path.of(layer[0]))).put("dest", layer[1]);
        }
        for (String[] tar : tarLayers()) {
            layerList.addObject().put("digest", uploader.archive(Path.of(tar[0]))).put("dest", tar[1]);
        }
        ObjectNode envNode = job.putObject("env");
        environment().forEach(envNode::put);
        job.put("workdir", workdir).put("network", network).put("writable", writable).put("hostname", hostname);
        putIfSet(job, "memory", memory);
        putIfSet(job, "timeout", timeout);
        putIfSet(job, "killGrace", killGrace);
        putIfSet(job, "outputLimit", outputLimit);
        if (pids != null) {
            job.put("pids", pids);
        }
        if (cpus != null) {
            job.put("cpus", cpus);
        }
        return job;
    }

    private static void putIfSet(ObjectNode job, String field, String value) {
        if (value != null) {
            job.put(field, value);
        }
    }
}
