package io.flotilla.deploy;

import io.flotilla.cli.BatchCommand;
import io.flotilla.cli.CancelCommand;
import io.flotilla.cli.ClusterCommand;
import io.flotilla.cli.CommitCommand;
import io.flotilla.cli.ClusterOptions;
import io.flotilla.cli.DemoCommand;
import io.flotilla.cli.LogsCommand;
import io.flotilla.cli.RepeatCommand;
import io.flotilla.cli.RunCommand;
import io.flotilla.cli.StatusCommand;
import io.flotilla.cli.SubmitCommand;
import io.flotilla.cli.TestCommand;
import io.flotilla.cli.WatchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code flotilla} command. Each subcommand is its own class; this one only wires them, lets the client
 * commands start a single-node cluster in this process when they are given none, and maps errors to the exit codes
 * the README promises: for {@code exec} and {@code server} 125 and up (the job's own statuses come first), for the
 * client commands 2.
 */
@Command(name = "flotilla", mixinStandardHelpOptions = true, version = "flotilla 0.1.0",
        description = "Runs tests and batches, each command in its own Linux-namespace container.",
        subcommands = {ExecCommand.class, RunCommand.class, SubmitCommand.class, RepeatCommand.class, TestCommand.class,
                BatchCommand.class, StatusCommand.class, WatchCommand.class, LogsCommand.class, CancelCommand.class,
                ClusterCommand.class, DemoCommand.class, ServerCommand.class, CertsCommand.class, RepoCommand.class,
                CommitCommand.class})
public final class Main implements Runnable {
    /** A bad option, a bad spec, or Flotilla itself failing: never a status the job could have produced. */
    static final int USAGE_ERROR = 125;
    /** A client command used wrongly. */
    static final int CLIENT_USAGE_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; try 'flotilla exec -- CMD'");
    }

    public static void main(String[] args) {
        // Pekko logs before logging is set up; SLF4J would say so on every command.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        if (args.length > 0 && args[0].equals("server") && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-server.xml"); // before anything logs
        }
        ClusterOptions.useLocalClusters(() -> EmbeddedCluster.start(Runtime.getRuntime().availableProcessors()));
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main());
        line.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("flotilla: " + e.getMessage() + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return e.getCommandLine().getCommand() instanceof ExecCommand
                    || e.getCommandLine().getCommand() instanceof ServerCommand
                    || e.getCommandLine().getCommand() instanceof Main ? USAGE_ERROR : CLIENT_USAGE_ERROR;
        });
        line.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("flotilla: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return USAGE_ERROR;
        });
        return line;
    }
}
