package io.flotilla.agent;

import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.NodeAgentProtocol.CopyOutput;
import io.flotilla.protocol.run.JobAttempt;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each ended attempt's output on a second node, so that it can still be read when the node that ran the
 * attempt is gone: this node asks a peer's agent to copy it ({@link CopyOutput}), and the peer reads it from this
 * node over HTTP. Every method blocks, so it runs on the agent's blocking-I/O dispatcher.
 */
final class OutputCopies {
    private static final Logger log = LoggerFactory.getLogger(OutputCopies.class);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private static final int PEERS_TO_TRY = 2;

    private final NodeFiles store;
    private final ActorSystem<?> system;
    private final String outputsUrl;
    private final PeerAgents peers;
    private final PeerHttp http;

    /** @param outputsUrl where this node serves outputs ({@code .../v1/outputs}); null when it does not */
    OutputCopies(NodeFiles store, ActorSystem<?> system, PeerAgents peers, PeerHttp http, String outputsUrl) {
        this.store = store;
        this.http = http;
        this.system = system;
        this.peers = peers;
        this.outputsUrl = outputsUrl;
    }

    /** Where this node serves an output, or null when it serves none. */
    private String url(AttemptOutput output) {
        return outputsUrl == null ? null : outputsUrl + "/" + output.attempt().runId() + "/" + output.name();
    }

    /** Where this node serves an attempt's output, live or kept; a location without URL when it has none. */
    NodeAgentProtocol.OutputLocation locate(JobAttempt attempt) {
        return store.output(attempt).filter(found -> outputsUrl != null)
                .map(found -> new NodeAgentProtocol.OutputLocation(attempt, url(found), !found.isEnded()))
                .orElseGet(() -> new NodeAgentProtocol.OutputLocation(attempt, null, false));
    }

    /** Has one peer keep a copy of an ended attempt's output; when no peer can, says so in the log. */
    void copyToAPeer(AttemptOutput output) {
        List<ActorRef<NodeAgentProtocol.Command>> candidates = new ArrayList<>(peers.current());
        if (outputsUrl == null || candidates.isEmpty()) {
            return;
        }
        Collections.shuffle(candidates);
        List<String> failures = new ArrayList<>();
        for (ActorRef<NodeAgentProtocol.Command> peer : candidates.subList(0, Math.min(PEERS_TO_TRY,
                candidates.size()))) {
            try {
                NodeAgentProtocol.Reply reply = AskPattern.<NodeAgentProtocol.Command, NodeAgentProtocol.Reply>ask(
                        peer, replyTo -> new CopyOutput(output.attempt(), url(output), replyTo), ASK_TIMEOUT,
                        system.scheduler()).toCompletableFuture().join();
                if (reply instanceof NodeAgentProtocol.OutputCopied copied && copied.error() == null) {
                    return;
                }
                failures.add(peer.path().address() + ": " + reply);
            } catch (RuntimeException e) {
                failures.add(peer.path().address() + ": " + e.getMessage());
            }
        }
        log.warn("the output of {} is on this node only: {}", output.attempt(), String.join("; ", failures));
    }

    /** Keeps a copy of another node's attempt output; null when it is kept, else why not. */
    String keepCopy(CopyOutput copy) {
        try (InputStream stdout = http.get(copy.url() + "/stdout");
             InputStream stderr = http.get(copy.url() + "/stderr")) {
            store.outputs().keepCopy(copy.attempt(), stdout, stderr);
            return null;
        } catch (IOException | UncheckedIOException e) {
            return "could not copy the output of " + copy.attempt() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while copying the output of " + copy.attempt();
        }
    }
}
