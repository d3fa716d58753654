package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flotilla.ci.GitFixture;
import io.flotilla.ci.StubForge;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the node that holds the CI inbox and the scheduler, after a delivery was acknowledged and while its
 * suites run, on three server JVMs over TLS with a shared journal: the new singletons go on from the journal, and
 * each suite's context still gets exactly one final status.
 */
class CiFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private static List<String> states(StubForge forge, String context) throws Exception {
        List<String> states = new ArrayList<>();
        for (StubForge.Call call : forge.calls()) {
            JsonNode body = JSON.readTree(call.body());
            if (body.path("context").asText().equals(context)) {
                states.add(body.path("state").asText());
            }
        }
        return states;
    }

    private static void await(StubForge forge, String what, List<String> contexts, int statusesEach)
            throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (String context : contexts) {
                all &= states(forge, context).size() >= statusesEach;
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + " did not come within " + PATIENCE + ": " + forge.calls());
    }

    @Test
    void killingTheInboxsNodeWhileSuitesRunStillEndsEachSuiteWithOneFinalStatus() throws Exception {
        GitFixture origin = GitFixture.init(dir.resolve("origin"));
        String sha = origin.commit(Map.of(".flotilla.yml", """
                suites:
                  - name: slow-pass
                    kind: pytest
                    targets: [test_pass.py]
                  - name: slow-fail
                    kind: pytest
                    targets: [test_fail.py]
                """,
                "test_pass.py", "import time\n\ndef test_passes_late():\n    time.sleep(6)\n",
                "test_fail.py", "import time\n\ndef test_fails_late():\n    time.sleep(6)\n    assert False\n"));
        try (StubForge forge = new StubForge(); ClusterNodes nodes = new ClusterNodes(3)) {
            nodes.addServerArgs("--repositories", WebhookDeliveries.registration(dir, origin.cloneUrl(), forge.url(),
                    "none").toString());
            nodes.startOldestFirst(2);
            for (int node = 0; node < 3; node++) {
                nodes.awaitHttp(node);
            }
            HttpResponse<String> accepted = HttpClient.newHttpClient().send(WebhookDeliveries.github(
                    nodes.httpUrl(1), "push", "d-failover", WebhookDeliveries.push(sha)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, accepted.statusCode(), accepted.body());
            List<String> contexts = List.of("flotilla/slow-pass", "flotilla/slow-fail");
            await(forge, "the pending statuses", contexts, 1);
            Thread.sleep(2000); // the suites' runs are submitted and their listings start
            nodes.process(0).destroyForcibly(); // kill -9 of the oldest node: the inbox's and the scheduler's
            await(forge, "the final statuses", contexts, 2);
            Thread.sleep(5000); // a second final status would come within this
            assertEquals(List.of("pending", "success"), states(forge, "flotilla/slow-pass"), forge.calls().toString());
            assertEquals(List.of("pending", "failure"), states(forge, "flotilla/slow-fail"), forge.calls().toString());
        }
    }
}
