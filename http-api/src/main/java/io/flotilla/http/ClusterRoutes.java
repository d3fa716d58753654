package io.flotilla.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.SchedulerProtocol;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/cluster} (nodes, free slots, load and queue), {@code /healthz} (this node is up) and
 * {@code /metrics} (the same figures in Prometheus' text format, for scraping).
 */
final class ClusterRoutes extends AllDirectives {
    private final SchedulerAsk scheduler;
    private final Auth auth;

    ClusterRoutes(SchedulerAsk scheduler, Auth auth) {
        this.scheduler = scheduler;
        this.auth = auth;
    }

    Route route() {
        return concat(
                path("healthz", () -> get(() -> complete(ApiJson.response(StatusCodes.OK,
                        ApiJson.MAPPER.createObjectNode().put("status", "up"))))),
                path("metrics", () -> get(() -> withClusterState(this::metrics))),
                pathPrefix("v1", () -> path("cluster", () -> get(() -> auth.require(Caller.Role.READ,
                        caller -> withClusterState(this::cluster))))));
    }

    private Route withClusterState(Function<SchedulerProtocol.ClusterState, HttpResponse> view) {
        return scheduler.<SchedulerProtocol.ClusterReply>ask(SchedulerProtocol.GetCluster::new,
                reply -> view.apply((SchedulerProtocol.ClusterState) reply));
    }

    private HttpResponse cluster(SchedulerProtocol.ClusterState state) {
        ArrayNode nodes = ApiJson.MAPPER.createArrayNode();
        state.nodes().forEach(node -> nodes.add(ApiJson.MAPPER.createObjectNode().put("node", node.node())
                .put("freeSlots", node.freeSlots()).put("runningJobs", node.runningJobs())));
        ObjectNode body = ApiJson.MAPPER.createObjectNode();
        body.set("nodes", nodes);
        body.put("freeSlots", state.nodes().stream().mapToInt(SchedulerProtocol.NodeView::freeSlots).sum())
                .put("runningJobs", state.runningJobs()).put("queuedJobs", state.pendingJobs())
                .put("finishedJobs", state.finishedJobs());
        return ApiJson.response(StatusCodes.OK, body);
    }

    private HttpResponse metrics(SchedulerProtocol.ClusterState state) {
        String text = gauge("flotilla_nodes", "Node agents the scheduler knows.", state.nodes().size())
                + gauge("flotilla_free_slots", "Slots free across the cluster.",
                        state.nodes().stream().mapToInt(SchedulerProtocol.NodeView::freeSlots).sum())
                + gauge("flotilla_queued_jobs", "Jobs waiting for a slot.", state.pendingJobs())
                + gauge("flotilla_running_jobs", "Jobs running.", state.runningJobs())
                + "# HELP flotilla_finished_jobs_total Jobs that have their final result.\n"
                + "# TYPE flotilla_finished_jobs_total counter\n"
                + "flotilla_finished_jobs_total " + state.finishedJobs() + "\n"
                + histogram("flotilla_dispatch_latency_seconds", "Time from a job entering the queue (its run "
                        + "accepted, or its retry due) to its dispatch to a node.", state.dispatchLatency());
        return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, text));
    }

    private static String histogram(String name, String help, SchedulerProtocol.LatencyHistogram latency) {
        StringBuilder text = new StringBuilder("# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n");
        for (int i = 0; i < latency.boundsMillis().size(); i++) {
            text.append(name).append("_bucket{le=\"").append(latency.boundsMillis().get(i) / 1000.0).append("\"} ")
                    .append(latency.cumulativeCounts().get(i)).append('\n');
        }
        return text.append(name).append("_bucket{le=\"+Inf\"} ").append(latency.count()).append('\n')
                .append(name).append("_sum ").append(latency.sumMillis() / 1000.0).append('\n')
                .append(name).append("_count ").append(latency.count()).append('\n').toString();
    }

    private static String gauge(String name, String help, long value) {
        return "# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " + value + "\n";
    }
}
