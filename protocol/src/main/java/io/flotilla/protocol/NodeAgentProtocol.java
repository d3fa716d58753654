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
     * matches {@code attempts} one to one. {@code outputTailBytes} is how much of the end of each output stream
     * travels with each result, 0 for the node's default. A {@code listing} is a suite's listing step: it sends back
     * that much of its stdout, and the end of its stderr only when it failed, so that the scheduler can parse the
     * listing whole.
     */
    public record RunShard(long shardId, List<JobAttempt> attempts, List<ContainerSpec> specs,
                           boolean sharedContainer, int outputTailBytes, boolean listing,
                           ActorRef<SchedulerProtocol.Command> scheduler) implements Command {
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

    /**
     * Sent by a node's HTTP API that was asked for a job's output: say whether this node has the attempt's output,
     * live or kept, and where it serves it. The bytes go over HTTP.
     */
    public record FindOutput(JobAttempt attempt, ActorRef<Reply> replyTo) implements Command {
    }

    /**
     * Sent by the agent of the node that ran an attempt, once the attempt has ended: keep a copy of its output,
     * read from {@code url} ({@code url + "/stdout"} and {@code url + "/stderr"}), so that the output outlives that
     * node; answer {@link OutputCopied}.
     */
    public record CopyOutput(JobAttempt attempt, String url, ActorRef<Reply> replyTo) implements Command {
    }

    /** What a node agent answers to other nodes' agents. */
    public sealed interface Reply extends CrossNode {
    }

    /** The answer to {@link FindBlob}: the URL this node serves the blob at, or null when it does not have it. */
    public record BlobLocation(String digest, String url) implements Reply {
    }

    /**
     * The answer to {@link FindOutput}: where this node serves the attempt's output (add {@code /stdout} or
     * {@code /stderr}), or null when it does not have it; {@code live} while the attempt still runs here.
     */
    public record OutputLocation(JobAttempt attempt, String url, boolean live) implements Reply {
    }

    /** The answer to {@link CopyOutput}: null when the copy is kept, else why not. */
    public record OutputCopied(JobAttempt attempt, String error) implements Reply {
    }
}
