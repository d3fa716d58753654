package io.flotilla.cli;

import io.flotilla.protocol.job.InvalidSpecException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every client command shares: where it runs, how it shows progress, and how failures become exit codes
 * (2 for what the user asked wrongly, 3 when no cluster answers) with one line on stderr, never a stack trace.
 */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClusterOptions cluster;

    @Option(names = "--ui", paramLabel = "auto|plain|tty", defaultValue = "auto",
            description = "Progress as a live bar (tty), as plain lines (plain), or the bar only on a terminal (auto).")
    String ui;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return execute(spec.commandLine().getOut(), err);
        } catch (UsageException | InvalidSpecException e) {
            err.println("flotilla: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (ApiException e) {
            err.println("flotilla: the cluster refused: " + e.getMessage()
                    + (e.field() == null ? "" : " (" + e.field() + ")"));
            return e.status() >= 500 ? ExitCodes.UNREACHABLE : ExitCodes.USAGE;
        } catch (UnreachableException e) {
            err.println("flotilla: " + e.getMessage());
            return ExitCodes.UNREACHABLE;
        } finally {
            err.flush();
        }
    }

    abstract int execute(PrintWriter out, PrintWriter err) throws Exception;

    boolean terminal() {
        return switch (ui) {
            case "tty" -> true;
            case "plain" -> false;
            case "auto" -> System.console() != null;
            default -> throw new UsageException("--ui wants auto, plain or tty, got '" + ui + "'");
        };
    }
}
