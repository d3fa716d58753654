package io.flotilla.protocol;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.run.JobAttempt;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages to the node agent on each machine. */
public final class NodeAgentProtocol {
    private NodeAgentProtocol() {
    }

    /** What a node agent accepts from other nodes. */
    public sealed interface Command extends CrossNode {
    }

    /** Messages a node agent sends itself, such as timer ticks. They never leave its node, so they are never serialized. */
    public non-sealed interface SelfMessage extends Command, NoSerializationVerificationNeeded {
    }

    /**
     * Sent by the scheduler: run these attempts, each in its own sandbox, or, with {@code sharedContainer}, all in
     * one sandbox one after another; report each with {@link SchedulerProtocol.AttemptFinished}. {@code specs}
     * matches {@code attempts} one to one.
     */
    public record RunShard(long shardId, List<JobAttempt> attempts, List<ContainerSpec> specs,
                           boolean sharedContainer, ActorRef<SchedulerProtocol.Command> scheduler) implements Command {
        public RunShard {
            attempts = List.copyOf(attempts);
            specs = List.copyOf(specs);
            if (attempts.size() != specs.size()) {
                throw new IllegalArgumentException("a shard needs one spec per attempt");
            }
        }
    }

    /** Sent by the scheduler when a run is cancelled: kill these attempts and every process they started. */
    public record KillAttempts(List<JobAttempt> attempts) implements Command {
        public KillAttempts {
            attempts = List.copyOf(attempts);
        }
    }

    /**
     * Sent by another node's agent that needs a layer it lacks: say whether this node has the layer's archive.
     * Only the answer travels as a message; the bytes go over HTTP.
     */
    public record FindBlob(String digest, ActorRef<Reply> replyTo) implements Command {
    }

    /** What a node agent answers to other nodes' agents. */
    public sealed interface Reply extends CrossNode {
    }

    /** The answer to {@link FindBlob}: the URL this node serves the blob at, or null when it does not have it. */
    public record BlobLocation(String digest, String url) implements Reply {
    }
}
