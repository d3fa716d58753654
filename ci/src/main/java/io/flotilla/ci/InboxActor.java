package io.flotilla.ci;

import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.CiProtocol.Command;
import io.flotilla.protocol.CiProtocol.RecordDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * a new singleton after a failover, is known. The deliveries that arrive during a write share the next one.
 */
public final class InboxActor extends EventSourcedBehavior<Command, InboxEvent, Inbox> {
    public static final String SINGLETON_NAME = "flotilla-ci-inbox";
    /** Forges redeliver within days; a delivery id is remembered this long. */
    static final Duration RETENTION = Duration.ofDays(7);
    private static final int SNAPSHOT_EVERY = 1000;

    /** Sent by the singleton manager before handing over to another node. */
    enum Stop implements CiProtocol.SelfMessage { INSTANCE }

    /** Journal the deliveries waiting, in one write. */
    enum Flush implements CiProtocol.SelfMessage { INSTANCE }

    private final ActorRef<Command> self;
    /** Deliveries since the last write; not journaled, as none of them has been answered yet. */
    private final List<RecordDelivery> waiting = new ArrayList<>();
    private boolean flushRequested;

    private InboxActor(ActorRef<Command> self, String persistenceId) {
        super(PersistenceId.ofUniqueId(persistenceId));
        this.self = self;
    }

    /** Starts the inbox as a cluster singleton on the oldest worker, with a proxy to it on every node. */
    public static ActorRef<Command> initSingleton(ActorSystem<?> system) {
        return ClusterSingleton.get(system).init(SingletonActor.of(create(SINGLETON_NAME), SINGLETON_NAME)
                .withStopMessage(Stop.INSTANCE));
    }

    /** The inbox's behaviour, journaled under {@code persistenceId}. */
    public static Behavior<Command> create(String persistenceId) {
        return Behaviors.setup(context -> new InboxActor(context.getSelf(), persistenceId));
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
                .onCommand(RecordDelivery.class, (inbox, record) -> onRecord(record))
                .onCommand(Flush.class, (inbox, flush) -> flush(inbox))
                .onCommand(Stop.class, (inbox, stop) -> Effect().stop())
                .build();
    }

    /** A delivery waits for the next write, which a {@link Flush} behind it in the mailbox makes. */
    private Effect<InboxEvent, Inbox> onRecord(RecordDelivery record) {
        waiting.add(record);
        if (!flushRequested) {
            flushRequested = true;
            self.tell(Flush.INSTANCE);
        }
        return Effect().none();
    }

    /** Journals what arrived since the last write in one write, then answers each delivery. */
    private Effect<InboxEvent, Inbox> flush(Inbox inbox) {
        flushRequested = false;
        List<RecordDelivery> batch = List.copyOf(waiting);
        waiting.clear();
        List<Inbox.Decision> decisions = inbox.decide(batch.stream().map(record -> new Inbox.Arrival(
                record.deliveryId(), record.event())).toList(), System.currentTimeMillis());
        List<InboxEvent> events = decisions.stream().filter(Inbox.Record.class::isInstance)
                .map(decision -> (InboxEvent) ((Inbox.Record) decision).event()).toList();
        return (events.isEmpty() ? Effect().none() : Effect().persist(events)).thenRun(after -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).replyTo().tell(decisions.get(i).reply());
            }
        });
    }
}
