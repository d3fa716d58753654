package io.flotilla.deploy;

import com.typesafe.config.Config;
import io.flotilla.agent.NodeAgent;
import io.flotilla.agent.NodeFiles;
import io.flotilla.agent.OutputStore;
import io.flotilla.agent.PeerHttp;
import io.flotilla.agent.StorageSettings;
import io.flotilla.ci.ForgeRetry;
import io.flotilla.ci.GitCheckout;
import io.flotilla.ci.InboxActor;
import io.flotilla.ci.PipelineWork;
import io.flotilla.ci.Repositories;
import io.flotilla.ci.RepositoriesFile;
import io.flotilla.ci.StatusReporter;
import io.flotilla.http.HttpApi;
import io.flotilla.http.HttpSettings;
import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.sandbox.BlobStore;
import io.flotilla.sandbox.LayerCache;
import io.flotilla.sandbox.LayerLimits;
import io.flotilla.sandbox.OwnerOnly;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxConfig;
import io.flotilla.scheduler.Journal;
import io.flotilla.scheduler.SchedulerActor;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * One running cluster node: its actor system, its HTTP API, the scheduler singleton (or a proxy to it), and, on a
 * worker, the node agent with its sandbox. This is all the wiring there is; the behaviour lives in the modules.
 */
public final class FlotillaNode {
    private static final String H2_FILE = "jdbc:h2:file:";

    private final ActorSystem<Void> system;
    private final ActorRef<SchedulerProtocol.Command> scheduler;

    private final String httpUrl;
    private final CompletableFuture<Void> stopped;
    /** The worker's layer cache; null on a node that runs no jobs. */
    private final LayerCache layers;

    private FlotillaNode(ActorSystem<Void> system, ActorRef<SchedulerProtocol.Command> scheduler, String httpUrl,
                         CompletableFuture<Void> stopped, LayerCache layers) {
        this.system = system;
        this.scheduler = scheduler;
        this.httpUrl = httpUrl;
        this.stopped = stopped;
        this.layers = layers;
    }

    /**
     * Starts a node from a complete configuration; a worker role gets a node agent with {@code slots} slots. With
     * no seed nodes configured, the node forms a cluster of its own. With TLS material ({@code flotilla.tls.dir}),
     * the cluster's traffic is mutually authenticated TLS, and the REST API is HTTPS unless it listens on loopback
     * only ({@code flotilla.http.https = auto}).
     */
    public static FlotillaNode start(Config given, int slots) throws Exception {
        Optional<ClusterTls> tls = ClusterTls.from(given);
        Config config = tls.map(material -> material.arterySettings().withFallback(given)).orElse(given);
        Path sandboxDir = OwnerOnly.directory(OwnerOnly.directory(
                Path.of(config.getString("flotilla.data-dir"))).resolve("sandbox"));
        String journal = config.getString("flotilla.journal.url");
        if (journal.startsWith(H2_FILE)) { // its files hold every job's environment: no one else may read them
            OwnerOnly.directory(Path.of(journal.substring(H2_FILE.length()).split(";", 2)[0]).getParent());
        }
        String repositoriesFile = config.getString("flotilla.ci.repositories-file");
        Supplier<Repositories> repositories = repositoriesFile.isBlank() ? Repositories::none
                : RepositoriesFile.open(Path.of(repositoriesFile));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), config.getString("flotilla.cluster-name"),
                config);
        Sandbox sandbox = null;
        try {
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
            }
            boolean worker = Cluster.get(system).selfMember().hasRole("worker");
            if (worker) {
                Journal.createSchemaIfMissing(system, Duration.ofSeconds(60));
            }
            ActorRef<SchedulerProtocol.Command> scheduler = SchedulerActor.initSingleton(system);
            var address = Cluster.get(system).selfMember().address();
            String host = address.getHost().orElseThrow();
            HttpSettings httpSettings = HttpSettings.from(config);
            Optional<SSLContext> context = tls.map(ClusterTls::sslContext);
            PeerHttp peers = new PeerHttp(context.orElse(null));
            sandbox = worker ? Sandbox.open(sandboxConfig(config, sandboxDir)) : null;
            BlobStore blobs = sandbox != null ? sandbox.layers().blobs() : new BlobStore(sandboxDir.resolve("blobs"));
            StorageSettings storage = StorageSettings.from(config);
            NodeFiles files = new NodeFiles(blobs, new OutputStore(sandboxDir.resolve("outputs")), storage,
                    sandboxDir);
            ExecutionContextExecutor blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig(
                    "flotilla.blocking-io-dispatcher"));
            CompletableFuture<String> apiUrl = new CompletableFuture<>();
            ActorRef<CiProtocol.Command> inbox = InboxActor.initSingleton(system, new PipelineWork(repositories,
                    new GitCheckout(sandboxDir.resolve("checkouts"), new BlobLayers(blobs)),
                    HttpApi.suiteRuns(system, scheduler, httpSettings),
                    new StatusReporter(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
                            ForgeRetry.DEFAULT),
                    () -> publicUrl(config).orElseGet(apiUrl::join), blockingIo));
            system.scheduler().scheduleWithFixedDelay(storage.sweepInterval(), storage.sweepInterval(),
                    () -> sweep(files), blockingIo);
            Optional<SSLContext> https = serveHttps(config.getString("flotilla.http.https"), host, context);
            ServerBinding http = new HttpApi(system, scheduler, files, blockingIo, httpSettings, peers, inbox,
                    repositories)
                    .bind(host, httpSettings.port(), https).toCompletableFuture().get(30, TimeUnit.SECONDS);
            String httpUrl = (https.isPresent() ? "https://" : "http://") + host + ":" + http.localAddress().getPort();
            apiUrl.complete(httpUrl);
            CompletableFuture<Void> stopped = system.getWhenTerminated().toCompletableFuture().thenRun(() -> { });
            if (sandbox != null) {
                Sandbox opened = sandbox;
                stopped = system.getWhenTerminated().toCompletableFuture().thenRun(opened::close);
                String node = host + ":" + address.getPort().orElseThrow();
                system.systemActorOf(NodeAgent.create(node, slots, sandbox, files, scheduler, httpUrl, peers),
                        "node-agent", org.apache.pekko.actor.typed.Props.empty());
            }
            return new FlotillaNode(system, scheduler, httpUrl, stopped, sandbox == null ? null : sandbox.layers());
        } catch (Exception e) {
            if (sandbox != null) {
                sandbox.close();
            }
            system.terminate();
            throw e;
        }
    }

    private static void sweep(NodeFiles files) {
        try {
            files.sweep(java.time.Instant.now());
        } catch (java.io.IOException | RuntimeException e) {
            LoggerFactory.getLogger(FlotillaNode.class).warn("could not sweep the node's stores: {}", e.toString());
        }
    }

    private static SandboxConfig sandboxConfig(Config config, Path dir) {
        Config sandbox = config.getConfig("flotilla.sandbox");
        return new SandboxConfig(dir, SandboxConfig.NOBODY, SandboxConfig.NOBODY, sandbox.getBytes("tmpfs-size"),
                new LayerLimits(sandbox.getBytes("layer-max-size"), sandbox.getLong("layer-max-entries"),
                        sandbox.getInt("layer-max-expansion")));
    }

    /** The address the cluster's users reach its API at, for links on commit statuses; empty for this node's. */
    private static Optional<String> publicUrl(Config config) {
        String url = config.getString("flotilla.ci.public-url");
        return url.isBlank() ? Optional.empty() : Optional.of(url.endsWith("/") ? url.substring(0, url.length() - 1)
                : url);
    }

    /** {@code on}, {@code off}, or {@code auto}: HTTPS when the node has TLS material and is reached from afar. */
    private static Optional<SSLContext> serveHttps(String mode, String host, Optional<SSLContext> context)
            throws java.net.UnknownHostException {
        boolean on = switch (mode) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> context.isPresent() && !java.net.InetAddress.getByName(host).isLoopbackAddress();
            default -> throw new IllegalArgumentException("flotilla.http.https must be on, off or auto, not '" + mode
                    + "'");
        };
        if (on && context.isEmpty()) {
            throw new IllegalArgumentException("flotilla.http.https = on needs TLS material: give the node --tls-dir");
        }
        return on ? context : Optional.empty();
    }

    /**
     * Makes a directory of this machine a layer of this node's jobs, bound read-only rather than packed (see
     * {@link LayerCache#bindHost}); for the process that runs the node, never for a request.
     *
     * @return the layer's key for a job's layer list
     */
    public String bindHostLayer(Path dir) throws IOException {
        if (layers == null) {
            throw new IllegalStateException("this node runs no jobs: it has no layers to bind a directory into");
        }
        return layers.bindHost(dir);
    }

    /** Where this node serves the REST API, like {@code http://10.0.0.1:8600}. */
    public String httpUrl() {
        return httpUrl;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Where to send scheduler commands from this node: the singleton, wherever it runs. */
    public ActorRef<SchedulerProtocol.Command> scheduler() {
        return scheduler;
    }

    /** Waits until the node has stopped and its sandbox is closed, with every job it ran ended. */
    public void awaitTermination() throws Exception {
        stopped.get(Long.MAX_VALUE, TimeUnit.DAYS);
    }
}
