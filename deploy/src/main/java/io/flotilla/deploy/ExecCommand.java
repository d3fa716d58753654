package io.flotilla.deploy;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.job.LimitOptions;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import io.flotilla.sandbox.InvalidLayerException;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxConfig;
import io.flotilla.sandbox.SandboxJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla exec}: one job in a container on this machine, its output live, its exit status as ours. */
@Command(name = "exec", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs PROGRAM in its own container on this machine and exits with its status "
                + "(128+N for signal N, 124 for a timeout, 125 and up for Flotilla's own errors).")
final class ExecCommand implements Callable<Integer> {
    @Option(names = "--layer", paramLabel = "HOSTPATH[:DEST]",
            description = "Bind a host directory or file read-only at DEST (default: the same path).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--tar", paramLabel = "FILE[:DEST]",
            description = "Unpack a tar or tar.gz once into the layer cache and mount it read-only at DEST "
                    + "(default /: each top-level entry at the root).")
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

    @Option(names = "--stdin", paramLabel = "FILE", description = "Feed FILE to the job's stdin (default: empty).")
    Path stdin;

    @Option(names = "--hostname", paramLabel = "NAME", defaultValue = "flotilla", description = "The job's hostname.")
    String hostname;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Layer cache and state (default $FLOTILLA_DATA_DIR or ~/.cache/flotilla).")
    Path dataDir;

    @Parameters(paramLabel = "PROGRAM", arity = "1..*", description = "The program and its arguments, after --.")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = commandSpec.commandLine().getErr();
        SandboxConfig defaults = SandboxConfig.defaults();
        SandboxConfig config = dataDir == null ? defaults
                : new SandboxConfig(dataDir, defaults.jobUid(), defaults.jobGid());
        try (Sandbox sandbox = Sandbox.open(config)) {
            ContainerSpec spec = spec(sandbox);
            SandboxJob job = sandbox.start(spec);
            JobResult result = OutputFollower.follow(job, System.out, System.err);
            return ExitStatus.report(result, spec.limits(), err);
        } catch (InvalidSpecException | InvalidLayerException e) {
            err.println("flotilla: " + e.getMessage());
            return Main.USAGE_ERROR;
        }
    }

    private ContainerSpec spec(Sandbox sandbox) throws IOException {
        ContainerSpec.Builder builder = ContainerSpec.builder(command)
                .network(NetworkMode.parse(network))
                .workdir(workdir)
                .writable(writable)
                .hostname(hostname)
                .limits(limits());
        for (String layer : layers) {
            String[] parts = layer.split(":", 2);
            String host = Path.of(parts[0]).toAbsolutePath().normalize().toString();
            builder.layer(new Layer.HostPath(host, parts.length > 1 ? parts[1] : host));
        }
        for (String tar : tars) {
            String[] parts = tar.split(":", 2);
            String digest = sandbox.layers().importTar(Path.of(parts[0]), null);
            builder.layer(new Layer.Tar(digest, parts.length > 1 ? parts[1] : "/"));
        }
        for (String pair : env) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new InvalidSpecException("env", "--env wants NAME=VALUE, got '" + pair + "'");
            }
            builder.env(pair.substring(0, equals), pair.substring(equals + 1));
        }
        if (stdin != null) {
            builder.stdinFile(stdin.toAbsolutePath().toString());
        }
        return builder.build();
    }

    private Limits limits() {
        return new LimitOptions(memory, pids, cpus, timeout, killGrace, outputLimit).toLimits();
    }
}
