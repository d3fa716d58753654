package io.flotilla.deploy;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code flotilla} command. Each subcommand is its own class; this one only wires them and maps errors to the
 * exit codes the README promises (125 and up for Flotilla's own failures).
 */
@Command(name = "flotilla", mixinStandardHelpOptions = true, version = "flotilla 0.1.0",
        description = "Runs tests and batches, each command in its own Linux-namespace container.",
        subcommands = {ExecCommand.class, ServerCommand.class})
public final class Main implements Runnable {
    /** A bad option, a bad spec, or Flotilla itself failing: never a status the job could have produced. */
    static final int USAGE_ERROR = 125;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command; try 'flotilla exec -- CMD'");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("server") && System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-server.xml"); // before anything logs
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main());
        line.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("flotilla: " + e.getMessage() + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return USAGE_ERROR;
        });
        line.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("flotilla: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return USAGE_ERROR;
        });
        return line;
    }
}
