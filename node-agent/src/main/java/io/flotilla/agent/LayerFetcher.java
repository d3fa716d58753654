package io.flotilla.agent;

import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Layer;
import io.flotilla.sandbox.InvalidLayerException;
import io.flotilla.sandbox.LayerCache;
import io.flotilla.sandbox.MissingBlobsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the tar layers a job needs are unpacked on this node before it starts. A layer this node lacks (or, for
 * a {@link io.flotilla.protocol.layer.LayerTree}, a file of it) is looked for on the other nodes (their agents answer
 * {@link NodeAgentProtocol.FindBlob}), downloaded over HTTP from one that has it, checked against its digest while
 * it streams to disk, and unpacked. Jobs that need the same missing layer at once share one download.
 *
 * <p>A layer that no node has fails the job with a launch error naming it; a download that breaks off on every node
 * that has the layer is an infrastructure error, which the scheduler retries. Every method blocks, so it runs on
 * the agent's blocking-I/O dispatcher.
 */
final class LayerFetcher {
    private static final Logger log = LoggerFactory.getLogger(LayerFetcher.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

    private final LayerCache layers;
    private final ActorSystem<?> system;
    private final Duration searchFor;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> downloads = new ConcurrentHashMap<>();
    private final PeerAgents peers;
    private final PeerHttp http;
    private final NodeStore store;

    /**
     * @param searchFor how long to keep looking for a layer no node has yet: the cluster may still be telling this
     *                  node about its peers, or the client may still be uploading the layer
     */
    LayerFetcher(LayerCache layers, NodeStore store, ActorSystem<?> system, PeerAgents peers, PeerHttp http,
                 Duration searchFor) {
        this.layers = layers;
        this.store = store;
        this.http = http;
        this.system = system;
        this.peers = peers;
        this.searchFor = searchFor;
    }

    /**
     * Unpacks every tar layer of the spec, fetching those this node lacks.
     *
     * @throws InvalidSpecException when no node has one of them
     * @throws UncheckedIOException when a layer could not be downloaded from any node that has it
     */
    void ensureLayers(ContainerSpec spec) {
        for (Layer layer : spec.layers()) {
            if (layer instanceof Layer.Tar tar) {
                ensure(tar.digest());
            }
        }
    }

    private void ensure(String digest) {
        try {
            if (unpackFetchingFiles(digest).isPresent()) {
                return;
            }
            fetchOnce(digest);
            unpackFetchingFiles(digest).orElseThrow(() -> new IllegalStateException(
                    "layer " + digest + " was fetched but is not in the blob store"));
        } catch (InvalidLayerException e) {
            throw new InvalidSpecException("layers.digest", e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack layer " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks a stored layer; for a layer tree whose files are not all on this node, fetches those first. */
    private Optional<Path> unpackFetchingFiles(String digest) throws IOException {
        try {
            return layers.unpackStored(digest);
        } catch (MissingBlobsException e) {
            log.info("layer tree {} needs {} of its files from the other nodes", digest, e.missing().size());
            for (String file : e.missing()) {
                fetchOnce(file);
            }
            return layers.unpackStored(digest);
        }
    }

    /** Downloads a blob from another node; jobs that need the same one at once share one download. */
    private void fetchOnce(String digest) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> download = downloads.putIfAbsent(digest, mine);
        if (download == null) {
            download = mine;
            try {
                fetch(digest);
                mine.complete(null);
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                downloads.remove(digest);
            }
        }
        try {
            download.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void fetch(String digest) {
        log.info("layer {} is not on this node: looking for it on the other nodes", digest);
        long giveUpAt = System.nanoTime() + searchFor.toNanos();
        Set<ActorRef<NodeAgentProtocol.Command>> asked = peers.current();
        List<String> urls = locate(digest, asked);
        while (urls.isEmpty() && System.nanoTime() < giveUpAt) {
            sleep(Duration.ofSeconds(1));
            asked = peers.current();
            urls = locate(digest, asked);
        }
        if (urls.isEmpty()) {
            log.warn("layer {} is on none of {} other nodes", digest, asked.size());
            throw new InvalidSpecException("layers.digest", "layer " + digest + " is on no node of the cluster (asked "
                    + asked.size() + " other node" + (asked.size() == 1 ? "" : "s") + " for " + searchFor.toSeconds()
                    + " s)");
        }
        List<String> failures = new ArrayList<>();
        for (String url : urls) {
            try {
                download(digest, url);
                log.info("fetched layer {} from {}", digest, url);
                return;
            } catch (IOException | InvalidLayerException e) {
                failures.add(url + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fetching layer " + digest, e);
            }
        }
        throw new UncheckedIOException(new IOException("could not fetch layer " + digest + " from any node that has it: "
                + String.join("; ", failures)));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for a layer", e);
        }
    }

    private List<String> locate(String digest, Set<ActorRef<NodeAgentProtocol.Command>> asked) {
        List<CompletableFuture<NodeAgentProtocol.Reply>> answers = new ArrayList<>();
        for (ActorRef<NodeAgentProtocol.Command> peer : asked) {
            CompletionStage<NodeAgentProtocol.Reply> answer = AskPattern.ask(peer,
                    replyTo -> new NodeAgentProtocol.FindBlob(digest, replyTo), ASK_TIMEOUT, system.scheduler());
            answers.add(answer.toCompletableFuture().exceptionally(unanswered -> null));
        }
        List<String> urls = new ArrayList<>();
        for (CompletableFuture<NodeAgentProtocol.Reply> answer : answers) {
            if (answer.join() instanceof NodeAgentProtocol.BlobLocation location && location.url() != null) {
                urls.add(location.url());
            }
        }
        return urls;
    }

    private void download(String digest, String url) throws IOException, InterruptedException {
        try (InputStream body = http.get(url)) {
            store.putBlob(body, digest); // through the node's one door: checked against its disk like an upload
        }
    }
}
