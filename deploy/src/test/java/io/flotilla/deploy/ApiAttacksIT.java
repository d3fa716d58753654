package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Submitters on a shared cluster, each trying what their role does not allow, over real HTTP to an embedded node
 * with a tokens file: each attempt is refused with a JSON error naming why, and changes nothing.
 */
class ApiAttacksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final String ANN = "ann-submit-token-0001";
    private static final String MALLORY = "mallory-submit-token-01";
    private static final String OPS = "ops-host-network-token-1";
    private static final String ROOT = "root-admin-token-000001";
    private static Path tokens;
    private static EmbeddedCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        tokens = Files.createTempFile("flotilla-tokens-", ".txt");
        Files.writeString(tokens, String.join("\n", ANN + " ann submit", MALLORY + " mallory submit",
                OPS + " ops submit,host-network", ROOT + " root admin", ""));
        cluster = EmbeddedCluster.start(2, Map.of("flotilla.http.tokens-file", tokens.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
        Files.delete(tokens);
    }

    private record Answer(int status, JsonNode body) {
    }

    private static Answer send(String token, String method, String path, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.url() + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    private static Answer submit(String token, String body) throws Exception {
        return send(token, "POST", "/v1/runs", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String state(String runId) throws Exception {
        return send(ANN, "GET", "/v1/runs/" + runId, null).body().get("state").asText();
    }

    @Test
    void onlyTheOwnerOrAnAdminCancelsARunAndAnEndedRunStaysAsItEnded() throws Exception {
        Answer sleeping = submit(ANN, "{\"jobs\": [{\"command\": [\"sleep\", \"600\"]}]}");
        String runId = sleeping.body().get("runId").asText();

        Answer refused = send(MALLORY, "DELETE", "/v1/runs/" + runId, null);
        assertEquals(403, refused.status(), refused.body().toString());
        assertEquals("run " + runId + " belongs to ann: only ann or an admin may cancel it",
                refused.body().get("error").asText());
        assertEquals("running", state(runId), "mallory's cancel changed nothing");

        Answer cancelled = send(ROOT, "DELETE", "/v1/runs/" + runId, null);
        assertEquals(200, cancelled.status(), cancelled.body().toString());
        assertEquals("cancelled", cancelled.body().get("state").asText());

        String done = submit(ANN, "{\"jobs\": [{\"command\": [\"true\"]}]}").body().get("runId").asText();
        long deadline = System.currentTimeMillis() + 60_000;
        while (state(done).equals("running") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals("passed", state(done));
        Answer late = send(ANN, "DELETE", "/v1/runs/" + done, null);
        assertEquals(200, late.status(), late.body().toString());
        assertEquals("passed", late.body().get("state").asText(), "a finished run is not relabelled cancelled");
        assertEquals("passed", state(done));
    }

    @Test
    void theHostsNetworkNeedsTheGrant() throws Exception {
        String hostJob = "{\"jobs\": [{\"command\": [\"true\"], \"network\": \"host\"}]}";
        Answer refused = submit(MALLORY, hostJob);
        assertEquals(403, refused.status(), refused.body().toString());
        assertEquals("jobs[0].network", refused.body().get("field").asText());
        assertEquals(202, submit(OPS, hostJob).status(), "granted");
        assertEquals(202, submit(ROOT, hostJob).status(), "an admin may");
    }

    @Test
    void noRequestBindsADirectoryOfTheNodeIntoAJob() throws Exception {
        Answer hostPath = submit(ROOT, "{\"jobs\": [{\"command\": [\"cat\", \"/x/shadow\"], \"layers\": "
                + "[{\"type\": \"host\", \"hostPath\": \"/etc\", \"dest\": \"/x\"}]}]}");
        assertEquals(400, hostPath.status(), hostPath.body().toString());
        assertEquals("unknown field 'type'", hostPath.body().get("error").asText());
        Path dir = Files.createTempDirectory("flotilla-bound-");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("file.txt"), "on this machine only\n");
            String key = cluster.bindDirectory(dir);
            Answer asBlob = send(ROOT, "GET", "/v1/blobs/" + key, null);
            assertEquals(404, asBlob.status(), "no other node can fetch a bound directory: " + asBlob.body());
        } finally {
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        }
    }

    @Test
    void malformedBodiesAre400sOverTheWireToo() throws Exception {
        Answer twice = submit(ANN, "{\"jobs\": [{\"command\": [\"true\"]}], \"jobs\": [{\"command\": [\"false\"]}]}");
        assertEquals(400, twice.status());
        assertTrue(twice.body().get("error").asText().contains("Duplicate field 'jobs'"), twice.body().toString());
        byte[] latin1 = "{\"jobs\": [{\"command\": [\"echo\", \"caf\u00e9\"]}]}".getBytes(StandardCharsets.ISO_8859_1);
        Answer notUtf8 = send(ANN, "POST", "/v1/runs", latin1);
        assertEquals(400, notUtf8.status());
        assertTrue(notUtf8.body().get("error").asText().contains("Invalid UTF-8"), notUtf8.body().toString());
        Answer array = submit(ANN, "[1, 2]");
        assertEquals("the body must be a JSON object describing the request", array.body().get("error").asText());
    }

    @Test
    void aTokensFileOthersCanReadIsRefusedAtStart() throws Exception {
        Path open = Files.createTempFile("flotilla-open-tokens-", ".txt");
        try {
            Files.writeString(open, ANN + " ann submit\n");
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
            Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> EmbeddedCluster.start(1, Map.of("flotilla.http.tokens-file", open.toString())).close());
            assertEquals("the tokens file " + open + " is open to other users (mode rw-r--r--): run chmod 600 "
                    + open, refused.getMessage());
        } finally {
            Files.delete(open);
        }
    }
}
