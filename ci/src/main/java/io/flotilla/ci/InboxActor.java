package io.flotilla.ci;

import io.flotilla.protocol.CiProtocol;
import io.flotilla.protocol.CiProtocol.Command;
import io.flotilla.protocol.CiProtocol.RecordDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster-singleton CI inbox: a thin event-sourced shell around {@link Inbox}. A delivery is journaled before its
 * webhook route answers the forge, so an acknowledged delivery is never lost, and a redelivery, also one that reaches
 * a new singleton after a failover, is known. The deliveries that arrive during a write share the next one.
 *
 * <p>It also drives each new commit's pipeline: it starts the {@link PipelineStep}s the inbox says are next, at most
 * one of each at a time, and journals what each came to before it starts the ones that follow. A step that brings
 * nothing new (a run still running) is tried again at the next tick. A new singleton replays the journal and goes on
 * from the last journaled step, so a commit acknowledged before a node died still gets its statuses.
 */
public final class InboxActor extends EventSourcedBehavior<Command, InboxEvent, Inbox> {
    public static final String SINGLETON_NAME = "flotilla-ci-inbox";
    /** Forges redeliver within days; a delivery id is remembered this long. */
    static final Duration RETENTION = Duration.ofDays(7);
    private static final int SNAPSHOT_EVERY = 1000;

    /** Sent by the singleton manager before handing over to another node. */
    enum Stop implements CiProtocol.SelfMessage { INSTANCE }

    /** Journal the deliveries and the steps' events waiting, in one write. */
    enum Flush implements CiProtocol.SelfMessage { INSTANCE }

    /** Start the steps that are due, those that follow runs among them. */
    enum Tick implements CiProtocol.SelfMessage { INSTANCE }

    /** A step ended with this event to journal, or with none; {@code failure} when it could not be done. */
    private record StepDone(String key, Optional<InboxEvent> event, Throwable failure)
            implements CiProtocol.SelfMessage {
    }

    /** How often the runs of commits are asked after. */
    private static final Duration TICK = Duration.ofSeconds(1);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final PipelineWork work;
    private final ActorRef<Command> self;
    /** The keys of the steps started and not yet ended. */
    private final Set<String> running = new HashSet<>();
    /** Deliveries since the last write; not journaled, as none of them has been answered yet. */
    private final List<RecordDelivery> waiting = new ArrayList<>();
    /**
     * What the steps that ended since the last write came to; their keys stay among the running until it is
     * journaled, so that no step starts again on a state that does not have it yet.
     */
    private final List<StepDone> ended = new ArrayList<>();
    private boolean flushRequested;

    private InboxActor(ActorContext<Command> context, TimerScheduler<Command> timers, PipelineWork work,
                       String persistenceId) {
        super(PersistenceId.ofUniqueId(persistenceId));
        this.context = context;
        this.timers = timers;
        this.work = work;
        this.self = context.getSelf();
    }

    /**
     * Starts the inbox as a cluster singleton on the oldest worker, with a proxy to it on every node.
     *
     * @param work how the node that holds the singleton does the commits' steps
     */
    public static ActorRef<Command> initSingleton(ActorSystem<?> system, PipelineWork work) {
        return ClusterSingleton.get(system).init(SingletonActor.of(create(SINGLETON_NAME, work), SINGLETON_NAME)
                .withStopMessage(Stop.INSTANCE));
    }

    /** The inbox's behaviour, journaled under {@code persistenceId}. */
    public static Behavior<Command> create(String persistenceId, PipelineWork work) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new InboxActor(context, timers, work,
                persistenceId)));
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
                .onCommand(Tick.class, (inbox, tick) -> startSteps(inbox))
                .onCommand(StepDone.class, this::onStepDone)
                .onCommand(CiProtocol.FindCommit.class, (inbox, find) -> find(inbox, find))
                .onCommand(Stop.class, (inbox, stop) -> Effect().stop())
                .build();
    }

    @Override
    public SignalHandler<Inbox> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), inbox -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            startSteps(inbox);
        }).build();
    }

    /** Starts every step that is due and not already running. */
    private Effect<InboxEvent, Inbox> startSteps(Inbox inbox) {
        for (PipelineStep step : inbox.steps()) {
            if (running.add(step.key())) {
                context.pipeToSelf(work.run(step), (event, failure) -> new StepDone(step.key(),
                        event == null ? Optional.empty() : event, failure));
            }
        }
        return Effect().none();
    }

    private Effect<InboxEvent, Inbox> onStepDone(Inbox inbox, StepDone done) {
        if (done.failure() != null) {
            context.getLog().warn("CI step '{}' failed, and is tried again: {}", done.key(),
                    done.failure().toString());
        }
        if (done.event().isEmpty()) {
            running.remove(done.key());
        } else {
            ended.add(done);
            requestFlush();
        }
        return Effect().none();
    }

    private void requestFlush() {
        if (!flushRequested) {
            flushRequested = true;
            self.tell(Flush.INSTANCE);
        }
    }

    private Effect<InboxEvent, Inbox> find(Inbox inbox, CiProtocol.FindCommit find) {
        find.replyTo().tell(new CiProtocol.CommitFound(inbox.pipelines(find.forge(), find.repository(), find.sha())
                .stream().map(CommitPipeline::view).toList()));
        return Effect().none();
    }

    /**
     * A delivery waits for the next write, which a {@link Flush} behind it in the mailbox makes; so does what a step
     * came to, so that the steps of many commits do not hold the deliveries up with a write each.
     */
    private Effect<InboxEvent, Inbox> onRecord(RecordDelivery record) {
        waiting.add(record);
        requestFlush();
        return Effect().none();
    }

    /** Journals what arrived since the last write in one write, then answers each delivery. */
    private Effect<InboxEvent, Inbox> flush(Inbox inbox) {
        flushRequested = false;
        List<RecordDelivery> batch = List.copyOf(waiting);
        waiting.clear();
        List<Inbox.Decision> decisions = inbox.decide(batch.stream().map(record -> new Inbox.Arrival(
                record.deliveryId(), record.event())).toList(), System.currentTimeMillis());
        List<StepDone> steps = List.copyOf(ended);
        ended.clear();
        List<InboxEvent> events = new ArrayList<>();
        steps.forEach(step -> events.add(step.event().orElseThrow()));
        decisions.stream().filter(Inbox.Record.class::isInstance)
                .forEach(decision -> events.add(((Inbox.Record) decision).event()));
        return (events.isEmpty() ? Effect().none() : Effect().persist(events)).thenRun(after -> {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).replyTo().tell(decisions.get(i).reply());
            }
            steps.forEach(step -> running.remove(step.key()));
            startSteps(after);
        });
    }
}
