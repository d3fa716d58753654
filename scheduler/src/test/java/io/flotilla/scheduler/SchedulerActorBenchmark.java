package io.flotilla.scheduler;

import com.typesafe.config.ConfigFactory;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The scheduler actor's own throughput, journal included: simulated agents in this JVM finish every attempt as
 * soon as it arrives, and a run of {@code jobs} jobs goes through the real {@link SchedulerActor} over an H2 file
 * journal. Called by {@code bench/run scheduler} after the pure core's figures.
 */
public final class SchedulerActorBenchmark {
    private static final JobResult PASSED = new JobResult(JobResult.Outcome.EXITED, 0, 0, "", Duration.ofMillis(1),
            Duration.ofMillis(1), 0, JobResult.OutputSummary.EMPTY, JobResult.OutputSummary.EMPTY, false);

    private SchedulerActorBenchmark() {
    }

    /** Returns the jobs per second that went through the scheduler actor, from submission to the last result. */
    public static double jobsPerSecond(int jobs, int agents, int slotsPerAgent) throws Exception {
        Path dataDir = Files.createTempDirectory("flotilla-scheduler-bench-");
        CompletableFuture<Long> done = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
            SchedulerSettings settings = SchedulerSettings.from(context.getSystem().settings().config());
            Journal.createSchemaIfMissing(context.getSystem(), Duration.ofSeconds(60));
            ActorRef<SchedulerProtocol.Command> scheduler = context.spawn(SchedulerActor.create(settings, "bench"),
                    "scheduler");
            for (int i = 0; i < agents; i++) {
                context.spawn(agent("node-" + i, slotsPerAgent, scheduler), "agent-" + i);
            }
            ActorRef<SchedulerProtocol.RunEvent> follower = context.spawn(Behaviors.receive(
                    SchedulerProtocol.RunEvent.class).onMessage(SchedulerProtocol.RunCompleted.class, completed -> {
                        done.complete(System.nanoTime());
                        return Behaviors.stopped();
                    }).onAnyMessage(event -> Behaviors.same()).build(), "follower");
            List<ContainerSpec> specs = new ArrayList<>(jobs);
            for (int i = 0; i < jobs; i++) {
                specs.add(ContainerSpec.builder("/bin/test-case", Integer.toString(i)).build());
            }
            ActorRef<SchedulerProtocol.SubmitReply> ignore = context.getSystem().ignoreRef();
            scheduler.tell(new SchedulerProtocol.SubmitRun(new RunSpec("bench", "ann", 0, 0, specs, null), ignore));
            scheduler.tell(new SchedulerProtocol.FollowRun("bench", follower));
            return Behaviors.empty();
        }), "flotilla-bench", ConfigFactory.load(ConfigFactory.parseString(
                "flotilla.data-dir = \"" + dataDir + "\"\npekko.loglevel = WARNING")
                .withFallback(ConfigFactory.defaultApplication())));
        long start = System.nanoTime();
        try {
            long end = done.get(10, TimeUnit.MINUTES);
            return jobs / ((end - start) / 1e9);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
            try (var files = Files.walk(dataDir)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** An agent whose every attempt ends at once, successfully; like a real one it reports after each change. */
    private static Behavior<NodeAgentProtocol.Command> agent(String node, int slots,
                                                             ActorRef<SchedulerProtocol.Command> scheduler) {
        return Behaviors.setup(context -> {
            scheduler.tell(new SchedulerProtocol.AgentStatus(node, context.getSelf(), slots, List.of()));
            return Behaviors.receive(NodeAgentProtocol.Command.class)
                    .onMessage(NodeAgentProtocol.RunShard.class, shard -> {
                        shard.attempts().forEach(attempt -> scheduler.tell(new SchedulerProtocol.AttemptFinished(node,
                                attempt, PASSED, "")));
                        scheduler.tell(new SchedulerProtocol.AgentStatus(node, context.getSelf(), slots, List.of()));
                        return Behaviors.same();
                    })
                    .onAnyMessage(message -> Behaviors.same())
                    .build();
        });
    }
}
