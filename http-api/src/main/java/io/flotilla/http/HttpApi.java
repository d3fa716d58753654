package io.flotilla.http;

import io.flotilla.sandbox.BlobStore;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP server of one node: every route of the API behind one error handling, so that whatever a route does, the
 * client gets JSON.
 */
public final class HttpApi extends AllDirectives {
    private final Route routes;

    /**
     * @param blobs this node's blob store
     * @param blockingIo where file I/O runs, never on the server's own threads
     * @param maxBlobBytes the largest blob an upload may carry
     */
    public HttpApi(BlobStore blobs, Executor blockingIo, long maxBlobBytes) {
        Route api = new BlobRoutes(blobs, blockingIo, maxBlobBytes).route();
        this.routes = handleExceptions(ApiErrors.exceptions(), () -> handleRejections(ApiErrors.rejections(),
                () -> api));
    }

    /** Serves the API on {@code host:port}; port 0 picks a free one, which the binding tells. */
    public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
        return Http.get(system).newServerAt(host, port).bind(routes);
    }
}
