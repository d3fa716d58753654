package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code flotilla cluster}: the cluster's nodes, free slots and load. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Shows the cluster's nodes and load.")
public final class ClusterCommand extends ClientCommand {
    @Override
    int execute(PrintWriter out, PrintWriter err) {
        JsonNode cluster = this.cluster.remote().cluster();
        for (JsonNode node : cluster.get("nodes")) {
            out.printf("%-24s %4d free slots, %4d running%n", node.get("node").asText(), node.get("freeSlots").asInt(),
                    node.get("runningJobs").asInt());
        }
        out.printf("%d nodes, %d free slots, %d running, %d queued, %d finished%n", cluster.get("nodes").size(),
                cluster.get("freeSlots").asInt(), cluster.get("runningJobs").asInt(),
                cluster.get("queuedJobs").asLong(), cluster.get("finishedJobs").asLong());
        return ExitCodes.PASSED;
    }
}
