package io.flotilla.deploy;

import com.typesafe.config.Config;
import io.flotilla.agent.NodeAgent;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxConfig;
import io.flotilla.scheduler.Journal;
import io.flotilla.scheduler.SchedulerActor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One running cluster node: its actor system, the scheduler singleton (or a proxy to it), and, on a worker, the
 * node agent with its sandbox. This is all the wiring there is; the behaviour lives in the modules.
 */
public final class FlotillaNode {
    private final ActorSystem<Void> system;
    private final ActorRef<SchedulerProtocol.Command> scheduler;

    private FlotillaNode(ActorSystem<Void> system, ActorRef<SchedulerProtocol.Command> scheduler) {
        this.system = system;
        this.scheduler = scheduler;
    }

    /** Starts a node from a complete configuration; a worker role gets a node agent with {@code slots} slots. */
    public static FlotillaNode start(Config config, int slots) throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), config.getString("flotilla.cluster-name"),
                config);
        try {
            boolean worker = Cluster.get(system).selfMember().hasRole("worker");
            if (worker) {
                Journal.createSchemaIfMissing(system, Duration.ofSeconds(60));
            }
            ActorRef<SchedulerProtocol.Command> scheduler = SchedulerActor.initSingleton(system);
            if (worker) {
                Path dataDir = Path.of(config.getString("flotilla.data-dir"));
                Sandbox sandbox = Sandbox.open(new SandboxConfig(dataDir.resolve("sandbox"), SandboxConfig.NOBODY,
                        SandboxConfig.NOBODY));
                system.getWhenTerminated().thenRun(sandbox::close);
                var address = Cluster.get(system).selfMember().address();
                String node = address.getHost().orElseThrow() + ":" + address.getPort().orElseThrow();
                system.systemActorOf(NodeAgent.create(node, slots, sandbox, scheduler), "node-agent",
                        org.apache.pekko.actor.typed.Props.empty());
            }
            return new FlotillaNode(system, scheduler);
        } catch (Exception e) {
            system.terminate();
            throw e;
        }
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Where to send scheduler commands from this node: the singleton, wherever it runs. */
    public ActorRef<SchedulerProtocol.Command> scheduler() {
        return scheduler;
    }

    public void awaitTermination() throws Exception {
        system.getWhenTerminated().toCompletableFuture().get(Long.MAX_VALUE, TimeUnit.DAYS);
    }
}
