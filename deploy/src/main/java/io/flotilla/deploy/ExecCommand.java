package io.flotilla.deploy;

import io.flotilla.cli.ContainerOptions;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.job.NetworkMode;
import io.flotilla.sandbox.InvalidLayerException;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxConfig;
import io.flotilla.sandbox.SandboxJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flotilla exec}: one job in a container on this machine, its output live, its exit status as ours. */
@Command(name = "exec", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs PROGRAM in its own container on this machine and exits with its status "
                + "(128+N for signal N, 124 for a timeout, 125 and up for Flotilla's own errors).")
final class ExecCommand implements Callable<Integer> {
    @Mixin
    ContainerOptions container;

    @Option(names = "--stdin", paramLabel = "FILE", description = "Feed FILE to the job's stdin (default: empty).")
    Path stdin;

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
                .network(NetworkMode.parse(container.network()))
                .workdir(container.workdir())
                .writable(container.writable())
                .hostname(container.hostname())
                .limits(container.limits().toLimits());
        for (String[] layer : container.hostLayers()) {
            builder.layer(new Layer.HostPath(layer[0], layer[1]));
        }
        for (String[] tar : container.tarLayers()) {
            builder.layer(new Layer.Tar(sandbox.layers().importTar(Path.of(tar[0]), null), tar[1]));
        }
        container.environment().forEach(builder::env);
        if (stdin != null) {
            builder.stdinFile(stdin.toAbsolutePath().toString());
        }
        return builder.build();
    }
}
