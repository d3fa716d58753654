package io.flotilla.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.ci.CommitEvent;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.job.Layer;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.suite.SuitePlan;
import io.flotilla.protocol.suite.SuiteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Every class that may travel between nodes, with its Kryo id. This list is the wire format: ids are never reused
 * or renumbered, a new class takes the next free id, and two nodes agree on the wire only if their lists agree.
 */
public final class KryoRegistrations {
    /** Kryo itself uses ids below this for primitives and strings. */
    static final int FIRST_ID = 20;

    /** In id order: an entry's position plus {@link #FIRST_ID} is its id. Append only. */
    static final List<Class<?>> CLASSES = List.of(
            // plain values and the JDK collections records copy into
            Integer.class, Long.class, Boolean.class, Duration.class, ArrayList.class,
            List.of().getClass(), List.of(1).getClass(), Map.of().getClass(), Map.of(1, 1).getClass(),
            Set.of().getClass(), Set.of(1).getClass(), ActorRef.class,
            // the job model
            ContainerSpec.class, Layer.HostPath.class, Layer.Tar.class, Limits.class, NetworkMode.class,
            JobResult.class, JobResult.Outcome.class, JobResult.OutputSummary.class,
            // runs
            RunSpec.class, JobAttempt.class, JobStatus.class, RunSummary.class,
            // the scheduler's protocol
            SchedulerProtocol.SubmitRun.class, SchedulerProtocol.CancelRun.class, SchedulerProtocol.GetRun.class,
            SchedulerProtocol.FollowRun.class, SchedulerProtocol.AgentStatus.class,
            SchedulerProtocol.AttemptFinished.class, SchedulerProtocol.Accepted.class, SchedulerProtocol.Rejected.class,
            SchedulerProtocol.RunFound.class, SchedulerProtocol.RunNotFound.class,
            SchedulerProtocol.ShardStarted.class, SchedulerProtocol.AttemptCompleted.class,
            SchedulerProtocol.RunCompleted.class,
            // the node agent's protocol
            NodeAgentProtocol.RunShard.class, NodeAgentProtocol.KillAttempts.class,
            SchedulerProtocol.RunUnknown.class, NodeAgentProtocol.FindBlob.class, NodeAgentProtocol.BlobLocation.class,
            SchedulerProtocol.GetJobs.class, SchedulerProtocol.GetCluster.class, SchedulerProtocol.JobsFound.class,
            SchedulerProtocol.JobView.class, SchedulerProtocol.ClusterState.class, SchedulerProtocol.NodeView.class,
            SchedulerProtocol.FollowRunEvents.class, SchedulerProtocol.StreamRestarted.class,
            SchedulerProtocol.NumberedEvent.class, NodeAgentProtocol.FindOutput.class,
            NodeAgentProtocol.CopyOutput.class, NodeAgentProtocol.OutputLocation.class,
            NodeAgentProtocol.OutputCopied.class, SchedulerProtocol.LatencyHistogram.class,
            // test suites
            SuiteSpec.class, SuiteSpec.Kind.class, SuiteSpec.Isolation.class, SuitePlan.class,
            SchedulerProtocol.EarlierAttempt.class,
            // security
            SchedulerProtocol.CancelRefused.class,
            // CI webhooks
            CommitEvent.class, CommitEvent.Trigger.class, CiProtocol.RecordDelivery.class,
            CiProtocol.DeliveryRecorded.class, CiProtocol.DeliverySeenBefore.class,
            CiProtocol.FindCommit.class, CiProtocol.CommitFound.class, CiProtocol.CommitRuns.class,
            CiProtocol.SuiteRun.class);

    /** How deep a message's objects may nest; Flotilla's own go about six deep. */
    private static final int MAX_DEPTH = 32;

    private KryoRegistrations() {
    }

    /**
     * Registers every class under its id. Collections, maps and strings are read no larger than the frame they
     * came in (see {@link BoundedInput}), nesting is capped so a crafted frame cannot exhaust the stack, and what
     * names a node's own files is refused (see {@link NodeLocalRefusal}).
     */
    static void registerAll(Kryo kryo, ActorRefSerializer actorRefs) {
        kryo.setRegistrationRequired(true);
        kryo.setMaxDepth(MAX_DEPTH);
        Map<Class<?>, Serializer<?>> special = Map.ofEntries(
                Map.entry(ActorRef.class, actorRefs),
                Map.entry(ArrayList.class, BoundedCollectionSerializer.arrayList()),
                Map.entry(List.of().getClass(), BoundedCollectionSerializer.immutableList()),
                Map.entry(List.of(1).getClass(), BoundedCollectionSerializer.immutableList()),
                Map.entry(Set.of().getClass(), BoundedCollectionSerializer.immutableSet()),
                Map.entry(Set.of(1).getClass(), BoundedCollectionSerializer.immutableSet()),
                Map.entry(Map.of().getClass(), new BoundedMapSerializer()),
                Map.entry(Map.of(1, 1).getClass(), new BoundedMapSerializer()),
                Map.entry(Layer.HostPath.class, new NodeLocalRefusal.HostPathSerializer()),
                Map.entry(ContainerSpec.class, new NodeLocalRefusal.ContainerSpecSerializer()));
        for (int i = 0; i < CLASSES.size(); i++) {
            Class<?> type = CLASSES.get(i);
            Serializer<?> serializer = special.get(type);
            if (serializer != null) {
                kryo.register(type, serializer, FIRST_ID + i);
            } else {
                kryo.register(type, FIRST_ID + i);
            }
        }
    }

    /** Whether a class, or for actor refs its interface, is on the list. */
    public static boolean isRegistered(Class<?> type) {
        return CLASSES.contains(type) || ActorRef.class.isAssignableFrom(type);
    }
}
