package io.flotilla.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flotilla.ci.Repositories;
import io.flotilla.ci.SuiteRuns;
import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.agent.NodeStore;
import io.flotilla.agent.PeerHttp;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * The HTTP server of one node: every route of the API behind one error handling, so that whatever a route does, the
 * client gets JSON.
 */
public final class HttpApi extends AllDirectives {
    private final ActorSystem<?> system;
    private final Route routes;

    /**
     * @param scheduler where to send scheduler commands from this node (the singleton's proxy)
     * @param store this node's blobs and the job output it has, live or kept
     * @param blockingIo where file I/O runs, never on the server's own threads
     * @param peers how this node reads the output other nodes serve
     * @param inbox where verified webhook deliveries of the {@code repositories} are recorded (the CI inbox's proxy)
     * @param repositories the registered repositories, as they are at each delivery
     * @throws IOException when the tokens file cannot be read
     */
    public HttpApi(ActorSystem<?> system, ActorRef<SchedulerProtocol.Command> scheduler, NodeStore store,
                   Executor blockingIo, HttpSettings settings, PeerHttp peers, ActorRef<CiProtocol.Command> inbox,
                   Supplier<Repositories> repositories)
            throws IOException {
        this.system = system;
        Optional<Tokens> tokens = settings.tokensFile().isEmpty() ? Optional.empty()
                : Optional.of(Tokens.read(settings.tokensFile().get()));
        Auth auth = new Auth(tokens);
        SchedulerAsk ask = new SchedulerAsk(scheduler, system, settings.schedulerTimeout());
        Route api = concat(
                new BlobRoutes(store, blockingIo, auth, settings.maxBlobBytes()).route(),
                new CommitRunsRoute(repositories, inbox, system, settings.schedulerTimeout(), auth).route(),
                new RunRoutes(ask, auth, settings.maxRequestBytes(), settings.limits()).route(),
                new ClusterRoutes(ask, auth).route(),
                new OutputRoutes(system, ask, store, blockingIo, auth, peers).route(),
                new WebhookRoutes(repositories, inbox, system, settings.schedulerTimeout()).route(),
                pathPrefix("v1", () -> path("openapi.json", () -> get(() -> getFromResource(
                        "io/flotilla/http/openapi.json", ContentTypes.APPLICATION_JSON)))));
        this.routes = handleExceptions(ApiErrors.exceptions(), () -> handleRejections(ApiErrors.rejections(),
                () -> api));
    }

    /**
     * How this node's CI pipeline submits a commit's suites and reads how they ended: by the rules of
     * {@code POST /v1/runs}, through the scheduler's proxy {@code scheduler}.
     */
    public static SuiteRuns suiteRuns(ActorSystem<?> system, ActorRef<SchedulerProtocol.Command> scheduler,
                                      HttpSettings settings) {
        return new CiSuiteRuns(new SchedulerAsk(scheduler, system, settings.schedulerTimeout()), settings.limits());
    }

    /**
     * Serves the API on {@code host:port}, over HTTPS with {@code tls} when it is given; port 0 picks a free one,
     * which the binding tells. The server settings the API depends on (each connection's own address for auth, JSON
     * for requests too malformed to route) are set here rather than trusted to the merge order of configuration
     * files.
     */
    public CompletionStage<ServerBinding> bind(String host, int port, Optional<SSLContext> tls) {
        Config server = ConfigFactory.parseMap(Map.of(
                "pekko.http.server.remote-address-attribute", "on",
                "pekko.http.server.parsing.error-handler", JsonParsingErrorHandler.class.getName()))
                .withFallback(system.settings().config());
        ServerBuilder builder = Http.get(system).newServerAt(host, port).withSettings(ServerSettings.create(server));
        return (tls.isEmpty() ? builder : builder.enableHttps(ConnectionContext.httpsServer(tls.get()))).bind(routes);
    }
}
