package io.flotilla.ci;

import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.CiProtocol.Command;
import io.flotilla.protocol.CiProtocol.RecordDelivery;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The cluster-singleton CI inbox: a thin event-sourced shell around {@link Inbox}. A delivery is journaled before its
 * webhook route answers the forge, so an acknowledged delivery is never lost, and a redelivery, also one that reaches
 * a new singleton after a failover, is known.
 */
public final class InboxActor extends EventSourcedBehavior<Command, InboxEvent, Inbox> {
    public static final String SINGLETON_NAME = "flotilla-ci-inbox";
    /** Forges redeliver within days; a delivery id is remembered this long. */
    static final Duration RETENTION = Duration.ofDays(7);
    private static final int SNAPSHOT_EVERY = 1000;

    /** Sent by the singleton manager before handing over to another node. */
    enum Stop implements CiProtocol.SelfMessage { INSTANCE }

    private InboxActor(String persistenceId) {
        super(PersistenceId.ofUniqueId(persistenceId));
    }

    /** Starts the inbox as a cluster singleton on the oldest worker, with a proxy to it on every node. */
    public static ActorRef<Command> initSingleton(ActorSystem<?> system) {
        return ClusterSingleton.get(system).init(SingletonActor.of(create(SINGLETON_NAME), SINGLETON_NAME)
                .withStopMessage(Stop.INSTANCE));
    }

    /** The inbox's behaviour, journaled under {@code persistenceId}. */
    public static Behavior<Command> create(String persistenceId) {
        return Behaviors.setup(context -> new InboxActor(persistenceId));
    }

    @Override
    public Inbox emptyState() {
        return new Inbox(RETENTION.toMillis());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public SnapshotAdapter<Inbox> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(Inbox inbox) {
                return inbox.snapshot();
            }

            @Override
            public Inbox fromJournal(Object snapshot) {
                return Inbox.restore((InboxSnapshot) snapshot, RETENTION.toMillis());
            }
        };
    }

    @Override
    public EventHandler<Inbox, InboxEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(Inbox::apply);
    }

    @Override
    public CommandHandler<Command, InboxEvent, Inbox> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(RecordDelivery.class, this::onRecord)
                .onCommand(Stop.class, (inbox, stop) -> Effect().stop())
                .build();
    }

    private Effect<InboxEvent, Inbox> onRecord(Inbox inbox, RecordDelivery record) {
        String commitKey = record.event().commitKey();
        if (inbox.seen(record.deliveryId()).isPresent()) {
            return Effect().none().thenRun(after -> record.replyTo().tell(new CiProtocol.DeliverySeenBefore(
                    record.deliveryId(), inbox.seen(record.deliveryId()).get().commitKey())));
        }
        boolean newCommit = !inbox.commitSeen(record.event());
        return Effect().persist(new InboxEvent.DeliveryRecorded(record.deliveryId(), record.event(),
                System.currentTimeMillis())).thenRun(after -> record.replyTo().tell(new CiProtocol.DeliveryRecorded(
                        record.deliveryId(), commitKey, newCommit)));
    }
}
