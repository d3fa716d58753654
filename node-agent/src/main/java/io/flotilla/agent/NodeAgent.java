package io.flotilla.agent;

import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.NodeAgentProtocol.Command;
import io.flotilla.protocol.NodeAgentProtocol.CopyOutput;
import io.flotilla.protocol.NodeAgentProtocol.FindBlob;
import io.flotilla.protocol.NodeAgentProtocol.FindOutput;
import io.flotilla.protocol.NodeAgentProtocol.KillAttempts;
import io.flotilla.protocol.NodeAgentProtocol.RunShard;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.sandbox.Sandbox;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The actor on each machine that runs shards. It registers with the receptionist, tells the scheduler every few
 * seconds (and whenever a slot frees) what it runs and how many slots it has free, starts each attempt in its own
 * sandbox and reports each result once. Before a job starts, the tar layers it needs are fetched from the other
 * nodes if this one lacks them, and this agent tells other nodes' agents where it serves the layers it has. The
 * sandbox, the layer files and the output files are touched only on the blocking-I/O dispatcher.
 */
public final class NodeAgent extends AbstractBehavior<Command> {
    public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "flotilla-node-agent");

    private record Report() implements NodeAgentProtocol.SelfMessage {
    }

    private record PeersChanged(Receptionist.Listing listing) implements NodeAgentProtocol.SelfMessage {
    }

    private record Started(SlotQueue.Unit unit, ContainerStarter.Running running)
            implements NodeAgentProtocol.SelfMessage {
    }

    private record Finished(SlotQueue.Unit unit, List<ContainerStarter.Report> reports)
            implements NodeAgentProtocol.SelfMessage {
    }

    private final String node;
    private final Sandbox sandbox;
    private final ActorRef<SchedulerProtocol.Command> scheduler;
    private final AgentSettings settings;
    private final Executor blockingIo;
    private final SlotQueue<Runnable> slots;
    private final PeerAgents peers = new PeerAgents();
    private final LayerFetcher fetcher;
    private final NodeFiles files;
    private final OutputCopies copies;
    private final ContainerStarter starter;
    private final String blobBaseUrl;

    private NodeAgent(ActorContext<Command> context, String node, int slotCount, Sandbox sandbox, NodeFiles files,
                      ActorRef<SchedulerProtocol.Command> scheduler, AgentSettings settings, String httpUrl,
                      PeerHttp peerHttp) {
        super(context);
        this.node = node;
        this.sandbox = sandbox;
        this.scheduler = scheduler;
        this.settings = settings;
        this.blockingIo = context.getSystem().dispatchers().lookup(
                DispatcherSelector.fromConfig("flotilla.blocking-io-dispatcher"));
        this.slots = new SlotQueue<>(slotCount, slotCount * settings.queueAheadPerSlot());
        this.fetcher = new LayerFetcher(sandbox.layers(), files, context.getSystem(), peers, peerHttp,
                settings.layerSearch());
        this.files = files;
        this.copies = new OutputCopies(files, context.getSystem(), peers, peerHttp,
                httpUrl == null ? null : httpUrl + "/v1/outputs");
        this.starter = new ContainerStarter(sandbox, fetcher, files.outputs(), copies, blockingIo,
                settings.outputTailBytes());
        this.blobBaseUrl = httpUrl == null ? null : httpUrl + "/v1/blobs";
    }

    /**
     * @param node this machine's name in the cluster (its address)
     * @param slotCount how many jobs it runs at once
     * @param files where attempts' output and the layer archives are kept; the node's HTTP API serves them
     * @param httpUrl where this node serves its REST API, blobs and outputs ({@code http://host:port} or
     *                {@code https://...}); null when it does not
     * @param peerHttp how it reads the layers and output other nodes serve
     */
    public static Behavior<Command> create(String node, int slotCount, Sandbox sandbox, NodeFiles files,
                                           ActorRef<SchedulerProtocol.Command> scheduler, String httpUrl,
                                           PeerHttp peerHttp) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            AgentSettings settings = AgentSettings.from(context.getSystem().settings().config());
            context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
            context.getSystem().receptionist().tell(Receptionist.subscribe(SERVICE_KEY,
                    context.messageAdapter(Receptionist.Listing.class, PeersChanged::new)));
            timers.startTimerWithFixedDelay(new Report(), Duration.ZERO, settings.reportInterval());
            context.getLog().info("node agent {} started with {} slots", node, slotCount);
            return new NodeAgent(context, node, slotCount, sandbox, files, scheduler, settings, httpUrl, peerHttp);
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(RunShard.class, this::onRunShard)
                .onMessage(KillAttempts.class, this::onKill)
                .onMessage(Started.class, this::onStarted)
                .onMessage(Finished.class, this::onFinished)
                .onMessage(FindBlob.class, this::onFindBlob)
                .onMessage(FindOutput.class, this::onFindOutput)
                .onMessage(CopyOutput.class, this::onCopyOutput)
                .onMessage(PeersChanged.class, this::onPeersChanged)
                .onMessage(Report.class, report -> {
                    report();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onRunShard(RunShard shard) {
        if (shard.sharedContainer()) {
            slots.offer(new SlotQueue.Unit(shard.attempts(), shard.specs(), true, shard.outputTailBytes(), shard.listing()));
        } else {
            for (int i = 0; i < shard.attempts().size(); i++) {
                slots.offer(new SlotQueue.Unit(List.of(shard.attempts().get(i)), List.of(shard.specs().get(i)),
                        false, shard.outputTailBytes(), shard.listing()));
            }
        }
        startWhatFits();
        return this;
    }

    private Behavior<Command> onKill(KillAttempts kill) {
        for (JobAttempt attempt : kill.attempts()) {
            slots.kill(attempt).ifPresent(cancel -> CompletableFuture.runAsync(cancel, blockingIo));
        }
        report();
        return this;
    }

    private void startWhatFits() {
        for (SlotQueue.Unit unit : slots.takeStartable()) {
            getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> starter.start(unit), blockingIo),
                    (running, error) -> error == null ? new Started(unit, running)
                            : new Finished(unit, ContainerStarter.sameForAll(unit, failedToStart(error))));
        }
    }

    private Behavior<Command> onFindBlob(FindBlob find) {
        CompletableFuture.supplyAsync(() -> blobBaseUrl != null && files.blob(find.digest())
                .isPresent(), blockingIo).thenAccept(present -> find.replyTo().tell(new NodeAgentProtocol.BlobLocation(
                find.digest(), present ? blobBaseUrl + "/" + find.digest() : null)));
        return this;
    }

    private Behavior<Command> onFindOutput(FindOutput find) {
        CompletableFuture.supplyAsync(() -> copies.locate(find.attempt()), blockingIo).thenAccept(find.replyTo()::tell);
        return this;
    }

    private Behavior<Command> onCopyOutput(CopyOutput copy) {
        CompletableFuture.supplyAsync(() -> copies.keepCopy(copy), blockingIo).thenAccept(error ->
                copy.replyTo().tell(new NodeAgentProtocol.OutputCopied(copy.attempt(), error)));
        return this;
    }

    private Behavior<Command> onPeersChanged(PeersChanged changed) {
        Set<ActorRef<Command>> peers = new HashSet<>(changed.listing().getServiceInstances(SERVICE_KEY));
        peers.remove(getContext().getSelf());
        this.peers.update(peers);
        return this;
    }

    private JobResult failedToStart(Throwable error) {
        Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                ? error.getCause() : error;
        getContext().getLog().warn("could not start a job: {}", cause.toString());
        if (cause instanceof InvalidSpecException invalid) {
            return new JobResult(JobResult.Outcome.LAUNCH_ERROR, 0, 0, invalid.getMessage(), Duration.ZERO,
                    Duration.ZERO, 0, JobResult.OutputSummary.EMPTY, JobResult.OutputSummary.EMPTY, false);
        }
        return JobResult.infrastructureError("the node could not start the job: " + cause.getMessage());
    }

    private Behavior<Command> onStarted(Started started) {
        ContainerStarter.Running running = started.running();
        if (!slots.started(started.unit(), running.cancel())) {
            CompletableFuture.runAsync(running.cancel(), blockingIo); // killed while it was starting
        }
        getContext().pipeToSelf(running.reports(), (reports, error) -> new Finished(started.unit(),
                reports != null ? reports : ContainerStarter.sameForAll(started.unit(),
                        JobResult.infrastructureError("lost the job's result: " + error))));
        return this;
    }

    private Behavior<Command> onFinished(Finished finished) {
        slots.release(finished.unit());
        for (int i = 0; i < finished.unit().attempts().size(); i++) {
            ContainerStarter.Report report = finished.reports().get(i);
            scheduler.tell(new SchedulerProtocol.AttemptFinished(node, finished.unit().attempts().get(i),
                    report.result(), report.outputTail()));
        }
        startWhatFits();
        report();
        return this;
    }

    private void report() {
        scheduler.tell(new SchedulerProtocol.AgentStatus(node, getContext().getSelf(), slots.freeSlots(),
                slots.attempts()));
    }
}
