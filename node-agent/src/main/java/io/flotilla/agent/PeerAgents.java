package io.flotilla.agent;

import io.flotilla.protocol.NodeAgentProtocol;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The other nodes' agents, as the receptionist last listed them: the agent updates it, and the helpers that ask
 * peers (for layers, to keep output copies) read it from the blocking-I/O threads they run on.
 */
final class PeerAgents {
    private volatile Set<ActorRef<NodeAgentProtocol.Command>> current = Set.of();

    void update(Set<ActorRef<NodeAgentProtocol.Command>> peers) {
        current = Set.copyOf(peers);
    }

    Set<ActorRef<NodeAgentProtocol.Command>> current() {
        return current;
    }
}
