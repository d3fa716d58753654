package io.flotilla.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A client command that runs one command line as a job (once, repeated, or as a batch): it takes exec's container
 * options and the program after {@code --}, checks them before it starts or reaches a cluster, uploads the layers
 * the cluster lacks, and hands the job on.
 */
abstract class JobCommand extends ClientCommand {
    @Mixin
    ContainerOptions container;

    @Parameters(paramLabel = "PROGRAM", arity = "1..*", description = "The program and its arguments, after --.")
    List<String> command;

    @Mixin
    ReportOptions reports;

    @Override
    final int execute(PrintWriter out, PrintWriter err) throws Exception {
        container.validate();
        try (ClusterOptions.Connection connection = cluster.connect(err)) {
            FlotillaClient client = connection.client();
            return run(client, container.toJob(command, new LayerUploader(connection, err)), out, err);
        }
    }

    /** Submits and follows a run of {@code job}; returns the exit code. */
    abstract int run(FlotillaClient client, ObjectNode job, PrintWriter out, PrintWriter err) throws Exception;
}
