package io.flotilla.http;

import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.layer.BlobBatch;
import io.flotilla.agent.DiskFullException;
import io.flotilla.agent.NodeStore;
import io.flotilla.sandbox.InvalidLayerException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.StreamConverters;

/**
 * {@code HEAD|GET|PUT /v1/blobs/sha256:<hex>}, {@code POST /v1/blobs/missing} and {@code POST /v1/blobs/batch}: the
 * node's blob store over HTTP. An upload streams to disk while its digest is computed, and is kept only if it
 * matches the digest in the path; a download streams from the file. Neither is ever held whole in memory. Uploading needs the submit role; reading needs only the digest, which is
 * how the nodes of a cluster fetch layers from each other.
 */
final class BlobRoutes extends AllDirectives {
    private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(30);
    /** At most this many digests in one question: a layer tree of that many files asks in several. */
    static final int MAX_MISSING_DIGESTS = 100_000;
    private static final long MAX_MISSING_BODY = 16L << 20;

    private final NodeStore store;
    private final Executor blockingIo;
    private final Auth auth;
    private final long maxBlobBytes;

    BlobRoutes(NodeStore store, Executor blockingIo, Auth auth, long maxBlobBytes) {
        this.store = store;
        this.blockingIo = blockingIo;
        this.auth = auth;
        this.maxBlobBytes = maxBlobBytes;
    }

    Route route() {
        return pathPrefix("v1", () -> pathPrefix("blobs", () -> concat(path("missing", () -> post(
                () -> auth.require(Caller.Role.SUBMIT, caller -> missing()))), path("batch", () -> post(
                () -> auth.require(Caller.Role.SUBMIT, caller -> batch()))), path(PathMatchers.segment(), digest -> {
            if (!Layer.Tar.isDigest(digest)) {
                return complete(ApiErrors.response(StatusCodes.BAD_REQUEST,
                        "a blob digest must look like sha256:<64 lowercase hex digits>, got '" + digest + "'",
                        "digest"));
            }
            return concat(get(() -> serve(digest)), head(() -> serve(digest)),
                    put(() -> auth.require(Caller.Role.SUBMIT, caller -> upload(digest))));
        }))));
    }

    /**
     * {@code POST /v1/blobs/batch}: many blobs in one body, each as the line {@code sha256:<hex> SIZE}, then its
     * SIZE bytes; each is checked against its digest and stored as one {@code PUT} would store it. It answers
     * {@code {"stored": N}}; a blob whose bytes do not match its digest ends the batch with 422, keeping those before.
     */
    private Route batch() {
        return withRequestTimeout(UPLOAD_TIMEOUT, () -> withSizeLimit(maxBlobBytes, () -> extractMaterializer(
                materializer -> extractDataBytes(bytes -> {
                    InputStream body = bytes.runWith(StreamConverters.asInputStream(Duration.ofMinutes(1)),
                            materializer);
                    CompletableFuture<Integer> stored = CompletableFuture.supplyAsync(() -> storeAll(body),
                            blockingIo);
                    return onComplete(stored, outcome -> complete(outcome.isSuccess()
                            ? ApiJson.response(StatusCodes.OK, ApiJson.MAPPER.createObjectNode()
                                    .put("stored", outcome.get()))
                            : uploadFailed(outcome.failed().get(), "the batch")));
                }))));
    }

    private int storeAll(InputStream stream) {
        try (InputStream body = new BufferedInputStream(stream, 1 << 16)) {
            int stored = 0;
            for (BlobBatch.Header header; (header = BlobBatch.next(body, maxBlobBytes)) != null; stored++) {
                store.putBlob(BlobBatch.exactly(body, header.size(), false), header.digest()); // the body stays open
            }
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of {@code POST /v1/blobs/missing}. */
    record MissingRequest(List<String> digests) {
    }

    /**
     * {@code POST /v1/blobs/missing} with {@code {"digests": [...]}}: those of them this node lacks, in their order, so
     * a client uploads only what the cluster does not have (as Bazel's FindMissingBlobs does).
     */
    private Route missing() {
        return withSizeLimit(MAX_MISSING_BODY, () -> entity(Unmarshaller.entityToByteArray(), body -> {
            List<String> digests;
            try {
                MissingRequest request = ApiJson.MAPPER.readValue(body, MissingRequest.class);
                digests = request == null ? null : request.digests();
            } catch (JsonProcessingException e) {
                ApiJson.BadRequest bad = ApiJson.badRequest(e);
                return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, bad.message(), bad.field()));
            } catch (IOException e) {
                return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "the body could not be read: "
                        + e.getMessage(), null));
            }
            if (digests == null || digests.size() > MAX_MISSING_DIGESTS) {
                return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "the body must name up to "
                        + MAX_MISSING_DIGESTS + " digests, as {\"digests\": [\"sha256:...\"]}", "digests"));
            }
            for (int i = 0; i < digests.size(); i++) {
                if (!Layer.Tar.isDigest(digests.get(i))) {
                    return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "a blob digest must look like "
                            + "sha256:<64 lowercase hex digits>, got '" + digests.get(i) + "'", "digests[" + i + "]"));
                }
            }
            List<String> asked = digests;
            return onSuccess(CompletableFuture.supplyAsync(() -> asked.stream().distinct()
                    .filter(digest -> store.blob(digest).isEmpty()).toList(), blockingIo), lacking -> {
                ObjectNode answer = ApiJson.MAPPER.createObjectNode();
                lacking.forEach(answer.putArray("missing")::add);
                return complete(ApiJson.response(StatusCodes.OK, answer));
            });
        }));
    }

    /** For HEAD the server sends the headers only, and never opens the file. */
    private Route serve(String digest) {
        return onSuccess(CompletableFuture.supplyAsync(() -> store.blob(digest), blockingIo), blob -> {
            if (blob.isEmpty()) {
                return complete(ApiErrors.response(StatusCodes.NOT_FOUND, "no blob " + digest + " on this node",
                        "digest"));
            }
            return complete(HttpResponse.create().withEntity(HttpEntities.create(
                    ContentTypes.APPLICATION_OCTET_STREAM, blob.get().size(), FileIO.fromPath(blob.get().file()))));
        });
    }

    private Route upload(String digest) {
        return withRequestTimeout(UPLOAD_TIMEOUT, () -> withSizeLimit(maxBlobBytes, () -> extractMaterializer(
                materializer -> extractDataBytes(bytes -> {
                    InputStream body = bytes.runWith(StreamConverters.asInputStream(Duration.ofMinutes(1)),
                            materializer);
                    CompletableFuture<NodeStore.Stored> stored = CompletableFuture.supplyAsync(
                            () -> store(body, digest), blockingIo);
                    return onComplete(stored, outcome -> complete(outcome.isSuccess()
                            ? stored(digest, outcome.get()) : uploadFailed(outcome.failed().get(), digest)));
                }))));
    }

    private NodeStore.Stored store(InputStream body, String digest) {
        try (body) {
            return store.putBlob(body, digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 201 for a new blob, 200 for one this node already had. */
    private static HttpResponse stored(String digest, NodeStore.Stored stored) {
        return ApiJson.response(stored.created() ? StatusCodes.CREATED : StatusCodes.OK,
                ApiJson.MAPPER.createObjectNode().put("digest", digest).put("size", stored.blob().size()));
    }

    private HttpResponse uploadFailed(Throwable error, String digest) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DiskFullException full) {
                return ApiErrors.response(StatusCodes.INSUFFICIENT_STORAGE, full.getMessage(), null);
            }
            if (cause instanceof InvalidLayerException mismatch) {
                return ApiErrors.response(StatusCodes.UNPROCESSABLE_ENTITY, mismatch.getMessage(), "digest");
            }
            if (cause instanceof EntityStreamSizeException) {
                return ApiErrors.response(StatusCodes.CONTENT_TOO_LARGE, "the blob is larger than this node's limit of "
                        + maxBlobBytes + " bytes", null);
            }
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return ApiErrors.response(StatusCodes.BAD_REQUEST, "the upload of " + digest + " broke off: "
                + cause.getMessage(), null);
    }
}
