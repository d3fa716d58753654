package io.flotilla.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.ci.Repositories;
import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.LimitPolicy;
import io.flotilla.agent.NodeFiles;
import io.flotilla.agent.OutputStore;
import io.flotilla.agent.PeerHttp;
import io.flotilla.agent.StorageSettings;
import io.flotilla.sandbox.BlobStore;
import java.io.IOException;
import io.flotilla.protocol.layer.BlobBatch;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob endpoints over real HTTP: uploads are checked against their digest, and every error is JSON. */
class BlobApiIT {
    private static final long LIMIT = 4L << 20;
    private static final ActorTestKit kit = ActorTestKit.create();
    private static final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    static Path store;
    @TempDir
    static Path outputDir;
    private static BlobStore blobs;
    private static String base;

    @BeforeAll
    static void serve() throws Exception {
        blobs = new BlobStore(store);
        base = serve(blobs, 0);
    }

    /** An API over these blobs that keeps {@code minFree} bytes of the disk free; returns its blobs' URL. */
    private static String serve(BlobStore blobs, long minFree) throws Exception {
        StorageSettings storage = new StorageSettings(Duration.ofDays(1), 1L << 30, Duration.ofDays(1), 1L << 30,
                minFree, Duration.ofMinutes(1));
        ServerBinding binding = new HttpApi(kit.system(), kit.<SchedulerProtocol.Command>createTestProbe().getRef(),
                new NodeFiles(blobs, new OutputStore(outputDir), storage, store), Executors.newCachedThreadPool(),
                new HttpSettings(0, LIMIT, LIMIT, Optional.empty(), Duration.ofSeconds(1), LimitPolicy.NONE),
                new PeerHttp(null), kit.<CiProtocol.Command>createTestProbe().getRef(), Repositories::none)
                .bind("127.0.0.1", 0, Optional.empty()).toCompletableFuture().get();
        return "http://127.0.0.1:" + binding.localAddress().getPort() + "/v1/blobs/";
    }

    @Test
    void anUploadToANodeWhoseDiskIsFullIsRefusedWith507AndKeepsNothing() throws Exception {
        String full = serve(new BlobStore(store.resolve("full")), Long.MAX_VALUE);
        byte[] bytes = "a layer".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(full + digestOf(bytes)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
        assertEquals(507, refused.statusCode(), refused.body());
        assertTrue(refused.body().matches("\\{\"error\":\"this node's disk has .* free, and it keeps .* free "
                + "\\(flotilla.storage.min-free\\)\"}"), refused.body());
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(full + digestOf(bytes)))).statusCode());
    }

    @AfterAll
    static void shutdown() {
        kit.shutdownTestKit();
    }

    private static String digestOf(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String digest, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + digest)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @Test
    void anUploadedBlobIsServedBackWhole() throws Exception {
        byte[] bytes = new byte[3 << 20];
        new Random(7).nextBytes(bytes);
        String digest = digestOf(bytes);

        assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + digest)).method("HEAD",
                HttpRequest.BodyPublishers.noBody())).statusCode());
        HttpResponse<String> created = put(digest, bytes);
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("{\"digest\":\"" + digest + "\",\"size\":" + bytes.length + "}", created.body());
        assertEquals(200, put(digest, bytes).statusCode(), "a second upload of the same blob is fine");

        HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create(base + digest)).method("HEAD",
                HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(bytes.length), head.headers().firstValue("Content-Length").orElseThrow());
        HttpResponse<InputStream> got = http.send(HttpRequest.newBuilder(URI.create(base + digest)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, got.statusCode());
        try (InputStream body = got.body()) {
            assertArrayEquals(bytes, body.readAllBytes());
        }
    }

    private static HttpResponse<String> askMissing(String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "missing")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aClientLearnsWhichOfItsBlobsTheNodeLacks() throws Exception {
        byte[] kept = "a file the node has".getBytes(StandardCharsets.UTF_8);
        assertEquals(201, put(digestOf(kept), kept).statusCode());
        String lacking = digestOf("a file it lacks".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> answer = askMissing("{\"digests\": [\"" + digestOf(kept) + "\", \"" + lacking + "\", \""
                + lacking + "\"]}");
        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("{\"missing\":[\"" + lacking + "\"]}", answer.body());

        HttpResponse<String> malformed = askMissing("{\"digests\": [\"" + lacking + "\", \"../../etc/passwd\"]}");
        assertEquals(400, malformed.statusCode());
        assertEquals("{\"error\":\"a blob digest must look like sha256:<64 lowercase hex digits>, got "
                + "'../../etc/passwd'\",\"field\":\"digests[1]\"}", malformed.body());
        HttpResponse<String> none = askMissing("{}");
        assertEquals(400, none.statusCode());
        assertTrue(none.body().contains("the body must name up to 100000 digests"), none.body());
        HttpResponse<String> notJson = askMissing("digests");
        assertEquals(400, notJson.statusCode());
        assertTrue(notJson.body().startsWith("{\"error\":"), notJson.body());
    }

    private static HttpResponse<String> batch(byte[]... parts) throws Exception {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.write(part);
        }
        return send(HttpRequest.newBuilder(URI.create(base + "batch"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    @Test
    void aBatchStoresEachBlobUnderItsDigestAndStopsAtOneThatDoesNotMatch() throws Exception {
        byte[] one = "first file of a tree".getBytes(StandardCharsets.UTF_8);
        byte[] two = "second file of a tree".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> stored = batch(BlobBatch.header(digestOf(one), one.length), one,
                BlobBatch.header(digestOf(two), two.length), two);
        assertEquals(200, stored.statusCode(), stored.body());
        assertEquals("{\"stored\":2}", stored.body());
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + digestOf(two)))).statusCode());

        byte[] three = "third".getBytes(StandardCharsets.UTF_8);
        String claimed = digestOf("something else".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> lying = batch(BlobBatch.header(digestOf(three), three.length), three,
                BlobBatch.header(claimed, one.length), one);
        assertEquals(422, lying.statusCode(), lying.body());
        assertTrue(lying.body().contains("digest mismatch: the blob was named " + claimed), lying.body());
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(base + digestOf(three)))).statusCode(),
                "the blobs before it are kept");
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + claimed))).statusCode());

        HttpResponse<String> garbled = batch("../../etc/passwd 5\nhello".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, garbled.statusCode(), garbled.body());
        assertTrue(garbled.body().contains("must be 'sha256:<64 lowercase hex digits> SIZE', got '../../etc/passwd 5'"),
                garbled.body());
        HttpResponse<String> shortBlob = batch(BlobBatch.header(digestOf(one), 1000), one);
        assertEquals(400, shortBlob.statusCode(), shortBlob.body());
        assertTrue(shortBlob.body().contains("bytes before its blob does"), shortBlob.body());
        assertEquals(0, leftovers(), "no temporary file is left behind");
    }

    @Test
    void aBodyThatDoesNotMatchItsDigestIsRefusedAndNotKept() throws Exception {
        byte[] bytes = "the real bytes".getBytes(StandardCharsets.UTF_8);
        String claimed = digestOf("other bytes".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> refused = put(claimed, bytes);
        assertEquals(422, refused.statusCode());
        assertEquals("{\"error\":\"digest mismatch: the blob was named " + claimed + ", its bytes have "
                + digestOf(bytes) + "\",\"field\":\"digest\"}", refused.body());
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + claimed))).statusCode());
        assertEquals(0, leftovers(), "no temporary file is left behind");
    }

    @Test
    void aBlobOverTheLimitIsRefusedWith413() throws Exception {
        byte[] bytes = new byte[(int) LIMIT + 1];
        HttpResponse<String> refused = put(digestOf(bytes), bytes);
        assertEquals(413, refused.statusCode(), refused.body());
        assertTrue(refused.body().startsWith("{\"error\":"), refused.body());
        assertEquals(0, leftovers());
    }

    @Test
    void malformedDigestsAndUnknownRoutesGetJsonErrors() throws Exception {
        HttpResponse<String> malformed = put("md5:abc", new byte[1]);
        assertEquals(400, malformed.statusCode());
        assertEquals("{\"error\":\"a blob digest must look like sha256:<64 lowercase hex digits>, got 'md5:abc'\","
                + "\"field\":\"digest\"}", malformed.body());

        HttpResponse<String> traversal = send(HttpRequest.newBuilder(URI.create(base + "..%2F..%2Fetc%2Fpasswd")));
        assertEquals(400, traversal.statusCode());
        assertTrue(traversal.body().contains("got '../../etc/passwd'"), traversal.body());

        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(base + "sha256:" + "0".repeat(64))));
        assertEquals(404, missing.statusCode());
        assertEquals("{\"error\":\"no blob sha256:" + "0".repeat(64) + " on this node\",\"field\":\"digest\"}",
                missing.body());

        HttpResponse<String> noRoute = send(HttpRequest.newBuilder(URI.create(base.replace("/v1/blobs/", "/nope"))));
        assertEquals(404, noRoute.statusCode());
        assertEquals("{\"error\":\"The requested resource could not be found.\"}", noRoute.body());

        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(URI.create(base + "sha256:" + "0".repeat(64)))
                .DELETE());
        assertEquals(405, wrongMethod.statusCode());
        assertTrue(wrongMethod.body().startsWith("{\"error\":\"HTTP method not allowed"), wrongMethod.body());
    }

    private static long leftovers() throws IOException {
        try (Stream<Path> files = Files.list(store)) {
            return files.filter(file -> file.getFileName().toString().startsWith(".upload-")).count();
        }
    }
}
