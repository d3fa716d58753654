package io.flotilla.scheduler;

import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.NodeAgentProtocol.KillAttempts;
import io.flotilla.protocol.NodeAgentProtocol.RunShard;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.SchedulerProtocol.AgentStatus;
import io.flotilla.protocol.SchedulerProtocol.AttemptFinished;
import io.flotilla.protocol.SchedulerProtocol.CancelRun;
import io.flotilla.protocol.SchedulerProtocol.Command;
import io.flotilla.protocol.SchedulerProtocol.FollowRun;
import io.flotilla.protocol.SchedulerProtocol.GetRun;
import io.flotilla.protocol.SchedulerProtocol.RunEvent;
import io.flotilla.protocol.SchedulerProtocol.SubmitRun;
import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.protocol.run.RunSummary;
import io.flotilla.protocol.suite.SuiteSpec;
import io.flotilla.scheduler.core.SchedulerEvent;
import io.flotilla.scheduler.core.SchedulerEvent.AttemptsLost;
import io.flotilla.scheduler.core.SchedulerEvent.JobFinished;
import io.flotilla.scheduler.core.SchedulerEvent.RunAccepted;
import io.flotilla.scheduler.core.SchedulerEvent.RunCancelled;
import io.flotilla.scheduler.core.SchedulerEvent.ShardDispatched;
import io.flotilla.scheduler.core.SchedulerSnapshot;
import io.flotilla.scheduler.core.SchedulerState;
import io.flotilla.scheduler.suite.SuiteExpansion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
 * The cluster-singleton scheduler: a thin event-sourced shell around {@link SchedulerState}. Commands become
 * events through the state's decisions; events are journaled, then applied; only then are messages sent. What
 * is not journaled (agents, followers, numbered run streams) is rebuilt after a failover: agents from their
 * reports, streams from the state.
 */
public final class SchedulerActor extends EventSourcedBehavior<Command, SchedulerEvent, SchedulerState> {
    public static final String SINGLETON_NAME = "flotilla-scheduler";

    /** Timer tick: expire silent nodes. */
    enum Tick implements SchedulerProtocol.SelfMessage { INSTANCE }

    /** Hand pending jobs to agents with free slots. */
    enum Dispatch implements SchedulerProtocol.SelfMessage { INSTANCE }

    /** Journal the results gathered since the last flush, in one write. */
    enum FlushResults implements SchedulerProtocol.SelfMessage { INSTANCE }

    /** Sent by the singleton manager before handing over to another node. */
    enum Stop implements SchedulerProtocol.SelfMessage { INSTANCE }

    /** A follower of numbered run events has stopped (its client went away): it needs no more events. */
    private record FollowerGone(ActorRef<SchedulerProtocol.NumberedEvent> follower)
            implements SchedulerProtocol.SelfMessage {
    }

    private final ActorContext<Command> context;
    private final SchedulerSettings settings;
    private final AgentRoster<ActorRef<NodeAgentProtocol.Command>> agents = new AgentRoster<>();
    private final RunStreams streams = new RunStreams();
    private final DispatchLatency latency = new DispatchLatency();
    /** Results waiting for the next journal write; results arrive far faster than one write each allows. */
    private final List<AttemptFinished> unwrittenResults = new ArrayList<>();
    private final java.util.Set<JobAttempt> unwrittenAttempts = new java.util.HashSet<>();
    private final TimerScheduler<Command> timers;
    /** A FlushResults is already on its way to us, or timed: results that arrive meanwhile join its write. */
    private boolean flushRequested;
    /** A Dispatch is already on its way to us: reports and results that arrive meanwhile share its journal write. */
    private boolean dispatchRequested;

    private SchedulerActor(ActorContext<Command> context, TimerScheduler<Command> timers, SchedulerSettings settings,
                           String persistenceId) {
        // A journal that fails a write (its database restarting, a connection lost) stops the scheduler; it starts
        // again after a pause and recovers from the journal, instead of leaving the cluster without a scheduler.
        super(PersistenceId.ofUniqueId(persistenceId), SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1),
                Duration.ofSeconds(10), 0.2));
        this.context = context;
        this.timers = timers;
        this.settings = settings;
    }

    /** Starts the singleton on the oldest node of the cluster, or a proxy to it here; returns where to send. */
    public static ActorRef<Command> initSingleton(ActorSystem<?> system) {
        SchedulerSettings settings = SchedulerSettings.from(system.settings().config());
        return ClusterSingleton.get(system).init(SingletonActor.of(create(settings, SINGLETON_NAME), SINGLETON_NAME)
                .withStopMessage(Stop.INSTANCE));
    }

    /** The scheduler's behaviour; the cluster runs it as a singleton whose journal is {@code persistenceId}. */
    static Behavior<Command> create(SchedulerSettings settings, String persistenceId) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
            return new SchedulerActor(context, timers, settings, persistenceId);
        }));
    }

    @Override
    public SchedulerState emptyState() {
        return new SchedulerState();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
    }

    /** Snapshots are immutable copies of the state, which itself changes in place. */
    @Override
    public SnapshotAdapter<SchedulerState> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(SchedulerState state) {
                return state.snapshot();
            }

            @Override
            public SchedulerState fromJournal(Object snapshot) {
                return SchedulerState.restore((SchedulerSnapshot) snapshot);
            }
        };
    }

    @Override
    public EventHandler<SchedulerState, SchedulerEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(SchedulerState::apply);
    }

    @Override
    public SignalHandler<SchedulerState> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> {
            long now = System.currentTimeMillis();
            for (String node : state.nodesWithWork()) {
                agents.expect(node, state.runningOn(node), now);
            }
            streams.recovered(state);
            state.runIds().stream().filter(runId -> !state.summary(runId).orElseThrow().finished())
                    .forEach(runId -> latency.runQueued(runId, now));
            context.getLog().info("scheduler recovered: {} pending and {} running jobs", state.pendingJobs(),
                    state.runningJobs());
        }).build();
    }

    @Override
    public CommandHandler<Command, SchedulerEvent, SchedulerState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(SubmitRun.class, this::onSubmit)
                .onCommand(CancelRun.class, this::onCancel)
                .onCommand(GetRun.class, this::onGet)
                .onCommand(FollowRun.class, this::onFollow)
                .onCommand(AgentStatus.class, this::onAgentStatus)
                .onCommand(AttemptFinished.class, this::onAttemptFinished)
                .onCommand(SchedulerProtocol.GetJobs.class, this::onGetJobs)
                .onCommand(SchedulerProtocol.GetCluster.class, this::onGetCluster)
                .onCommand(SchedulerProtocol.FollowRunEvents.class, (state, follow) -> Effect().none()
                        .thenRun(s -> {
                            if (streams.followNumbered(s, follow)) {
                                context.watchWith(follow.subscriber(), new FollowerGone(follow.subscriber()));
                            }
                        }))
                .onCommand(FollowerGone.class, (state, gone) -> Effect().none()
                        .thenRun(s -> streams.unfollow(gone.follower())))
                .onCommand(FlushResults.class, (state, flush) -> flushResults(state))
                .onCommand(Dispatch.class, (state, dispatch) -> {
                    dispatchRequested = false;
                    return dispatch(state);
                })
                .onCommand(Tick.class, (state, tick) -> onTick(state))
                .onCommand(Stop.class, (state, stop) -> Effect().stop())
                .build();
    }

    private Effect<SchedulerEvent, SchedulerState> onSubmit(SchedulerState state, SubmitRun submit) {
        String runId = submit.spec().runId();
        return switch (state.checkSubmission(submit.spec())) {
            case DUPLICATE -> Effect().none().thenRun(s ->
                    submit.replyTo().tell(new SchedulerProtocol.Accepted(runId, true)));
            case CONFLICT -> Effect().none().thenRun(s -> submit.replyTo().tell(new SchedulerProtocol.Rejected(runId,
                    "runId", "run id " + runId + " was already used for a different run")));
            case NEW -> Effect().persist(accepted(state, submit.spec())).thenRun(s -> {
                streams.started(runId);
                latency.runQueued(runId, System.currentTimeMillis());
                submit.replyTo().tell(new SchedulerProtocol.Accepted(runId, false));
                requestDispatch();
            });
        };
    }

    /** A new run; a command suite, which has no listing step, expands at once. */
    private static List<SchedulerEvent> accepted(SchedulerState state, RunSpec spec) {
        RunAccepted accepted = new RunAccepted(spec, System.currentTimeMillis());
        if (spec.isListing() && spec.suite().kind() == SuiteSpec.Kind.COMMANDS) {
            return List.of(accepted, state.decideExpansion(spec, null, ""));
        }
        return List.of(accepted);
    }

    private Effect<SchedulerEvent, SchedulerState> onCancel(SchedulerState state, CancelRun cancel) {
        String runId = cancel.runId();
        switch (state.decideCancel(runId, cancel.requestedBy(), cancel.admin())) {
            case UNKNOWN:
                return Effect().none().thenRun(s -> cancel.replyTo().tell(new SchedulerProtocol.RunNotFound(runId)));
            case REFUSED:
                return Effect().none().thenRun(s -> cancel.replyTo().tell(new SchedulerProtocol.CancelRefused(runId,
                        s.spec(runId).orElseThrow().user())));
            case ALREADY_ENDED:
                return Effect().none().thenRun(s -> cancel.replyTo().tell(new SchedulerProtocol.RunFound(
                        s.summary(runId).orElseThrow())));
            default:
                break;
        }
        Map<String, List<JobAttempt>> toKill = state.runningAttemptsOf(runId);
        return Effect().persist(new RunCancelled(cancel.runId(), System.currentTimeMillis())).thenRun(s -> {
            kill(toKill);
            RunSummary summary = s.summary(cancel.runId()).orElseThrow();
            cancel.replyTo().tell(new SchedulerProtocol.RunFound(summary));
            runEnded(summary);
        });
    }

    /** Node → attempts to kill there; the agents report them cancelled, and those reports are ignored. */
    private void kill(Map<String, List<JobAttempt>> attemptsByNode) {
        attemptsByNode.forEach((node, attempts) -> {
            agents.forget(attempts);
            agents.ref(node).ifPresent(agent -> agent.tell(new KillAttempts(attempts)));
        });
    }

    private Effect<SchedulerEvent, SchedulerState> onGet(SchedulerState state, GetRun get) {
        SchedulerProtocol.RunReply reply = state.summary(get.runId())
                .<SchedulerProtocol.RunReply>map(SchedulerProtocol.RunFound::new)
                .orElse(new SchedulerProtocol.RunNotFound(get.runId()));
        return Effect().none().thenRun(s -> get.replyTo().tell(reply));
    }

    private Effect<SchedulerEvent, SchedulerState> onGetJobs(SchedulerState state, SchedulerProtocol.GetJobs get) {
        SchedulerProtocol.JobsReply reply = state.summary(get.runId()).isEmpty()
                ? new SchedulerProtocol.RunNotFound(get.runId())
                : state.jobs(get.runId(), get.state(), get.from(),
                        Math.max(1, Math.min(get.limit(), SchedulerProtocol.MAX_JOBS_PER_PAGE)));
        return Effect().none().thenRun(s -> get.replyTo().tell(reply));
    }

    private Effect<SchedulerEvent, SchedulerState> onGetCluster(SchedulerState state,
                                                               SchedulerProtocol.GetCluster get) {
        List<SchedulerProtocol.NodeView> nodes = new ArrayList<>();
        agents.freeSlotsOfAll().forEach((node, free) -> nodes.add(new SchedulerProtocol.NodeView(node, free,
                state.runningOn(node).size())));
        SchedulerProtocol.ClusterState reply = new SchedulerProtocol.ClusterState(nodes, state.pendingJobs(),
                state.runningJobs(), state.finishedJobs(), latency.histogram());
        return Effect().none().thenRun(s -> get.replyTo().tell(reply));
    }

    private Effect<SchedulerEvent, SchedulerState> onFollow(SchedulerState state, FollowRun follow) {
        return Effect().none().thenRun(s -> s.summary(follow.runId()).ifPresentOrElse(summary -> {
            if (summary.finished()) {
                follow.subscriber().tell(new SchedulerProtocol.RunCompleted(follow.runId(), summary));
            } else {
                streams.follow(follow.runId(), follow.subscriber());
            }
        }, () -> follow.subscriber().tell(new SchedulerProtocol.RunUnknown(follow.runId()))));
    }

    private Effect<SchedulerEvent, SchedulerState> onAgentStatus(SchedulerState state, AgentStatus status) {
        long now = System.currentTimeMillis();
        java.util.Set<JobAttempt> believed = new java.util.HashSet<>(state.runningOn(status.node()));
        // An attempt whose result waits in the batch has ended, not vanished: the agent rightly no longer lists it.
        believed.removeAll(unwrittenAttempts);
        java.util.Set<JobAttempt> reported = new java.util.HashSet<>(status.running());
        List<JobAttempt> missing = agents.report(status.node(), status.agent(), status.freeSlots(), believed,
                reported, now, settings.lease().toMillis());
        if (missing.isEmpty()) {
            requestDispatch();
            return Effect().none();
        }
        agents.forget(missing);
        context.getLog().info("node {} no longer runs {} attempts: they run again", status.node(), missing.size());
        AttemptsLost lost = new AttemptsLost(status.node(), missing, "node " + status.node() + " no longer runs them");
        return Effect().persist(lost).thenRun(s -> {
            publishLost(s, List.of(lost));
            requestDispatch();
        });
    }

    /**
     * Results are journaled together: one journal write per result would cap the whole cluster at the journal's
     * write rate. With no batch delay the flush is a message to ourselves, so it writes every result that reached the
     * mailbox before it (and, while a write is in flight, everything that arrives meanwhile) at no added latency: a
     * slot that frees is refilled as soon as one write allows.
     */
    private Effect<SchedulerEvent, SchedulerState> onAttemptFinished(SchedulerState state, AttemptFinished finished) {
        if (!state.isRunning(finished.attempt())) {
            return Effect().none(); // late or duplicate: its result was already recorded, or the run was cancelled
        }
        unwrittenResults.add(finished);
        unwrittenAttempts.add(finished.attempt());
        if (unwrittenResults.size() >= settings.maxResultBatch()) {
            return flushResults(state);
        }
        if (!flushRequested) {
            flushRequested = true;
            if (settings.resultBatchDelay().isZero()) {
                context.getSelf().tell(FlushResults.INSTANCE);
            } else {
                timers.startSingleTimer(FlushResults.INSTANCE, settings.resultBatchDelay());
            }
        }
        return Effect().none();
    }

    private Effect<SchedulerEvent, SchedulerState> flushResults(SchedulerState state) {
        timers.cancel(FlushResults.INSTANCE);
        flushRequested = false;
        List<AttemptFinished> batch = new ArrayList<>();
        java.util.Set<JobAttempt> seen = new java.util.HashSet<>();
        for (AttemptFinished finished : unwrittenResults) {
            if (state.isRunning(finished.attempt()) && seen.add(finished.attempt())) {
                batch.add(finished);
            }
        }
        unwrittenResults.clear();
        unwrittenAttempts.clear();
        if (batch.isEmpty()) {
            return Effect().none();
        }
        List<SchedulerEvent> events = new ArrayList<>(batch.size());
        java.util.Set<JobAttempt> listings = new java.util.HashSet<>();
        for (AttemptFinished finished : batch) {
            events.add(new JobFinished(finished.attempt(), finished.result(), finished.outputTail()));
            RunSpec spec = state.spec(finished.attempt().runId()).orElseThrow();
            if (spec.isListing() && finished.result().outcome() != JobResult.Outcome.INFRASTRUCTURE_ERROR) {
                listings.add(finished.attempt());
                events.add(state.decideExpansion(spec, finished.result(), finished.outputTail()));
            }
        }
        // A run that stops after K failures may be stopped by this batch; what it runs now must then be killed.
        Map<String, Map<String, List<JobAttempt>>> stoppable = new java.util.HashMap<>();
        for (AttemptFinished finished : batch) {
            String runId = finished.attempt().runId();
            if (state.spec(runId).orElseThrow().stopAfterFailures() > 0
                    && !state.summary(runId).orElseThrow().cancelRequested()) {
                stoppable.computeIfAbsent(runId, state::runningAttemptsOf);
            }
        }
        return Effect().persist(events).thenRun(s -> {
            stoppable.forEach((runId, running) -> {
                if (s.summary(runId).orElseThrow().cancelRequested()) {
                    kill(running);
                }
            });
            java.util.Set<String> runs = new java.util.LinkedHashSet<>();
            for (AttemptFinished finished : batch) {
                JobAttempt attempt = finished.attempt();
                agents.ended(finished.node(), attempt);
                if (!listings.contains(attempt)) { // a listing's job is not one of the run's jobs once it expanded
                    publishEnded(s, attempt, finished.result(), finished.outputTail());
                }
                runs.add(attempt.runId());
            }
            runs.forEach(runId -> completeIfFinished(s, runId));
            requestDispatch();
        });
    }

    private Effect<SchedulerEvent, SchedulerState> onTick(SchedulerState state) {
        long now = System.currentTimeMillis();
        List<AttemptsLost> lost = new ArrayList<>();
        for (String node : agents.removeSilentSince(now - settings.lease().toMillis())) {
            List<JobAttempt> attempts = new ArrayList<>(state.runningOn(node));
            attempts.removeIf(unwrittenAttempts::contains); // their results arrived; they are being journaled
            context.getLog().warn("node {} silent for more than {}: {} attempts run again elsewhere", node,
                    settings.lease(), attempts.size());
            if (!attempts.isEmpty()) {
                agents.forget(attempts);
                lost.add(new AttemptsLost(node, attempts, "node " + node + " silent for more than "
                        + settings.lease()));
            }
        }
        if (lost.isEmpty()) {
            return Effect().none();
        }
        return Effect().persist(new ArrayList<SchedulerEvent>(lost)).thenRun(s -> {
            publishLost(s, lost);
            requestDispatch();
        });
    }

    /** Pending jobs to every agent with free slots, in one journal write. */
    private Effect<SchedulerEvent, SchedulerState> dispatch(SchedulerState state) {
        long now = System.currentTimeMillis();
        List<ShardDispatched> shards = state.decideShards(agents.freeSlots(), settings.maxShardSize(), now);
        if (shards.isEmpty()) {
            return Effect().none();
        }
        return Effect().persist(new ArrayList<SchedulerEvent>(shards)).thenRun(s -> {
            for (ShardDispatched shard : shards) {
                List<JobAttempt> attempts = new ArrayList<>(shard.jobs().size());
                List<ContainerSpec> specs = new ArrayList<>(shard.jobs().size());
                RunSpec run = s.spec(shard.runId()).orElseThrow();
                for (int i = 0; i < shard.jobs().size(); i++) {
                    attempts.add(new JobAttempt(shard.runId(), shard.jobs().get(i), shard.attempts().get(i)));
                    specs.add(run.jobs().get(shard.jobs().get(i)).withEnv(Map.of("FLOTILLA_ATTEMPT",
                            shard.attempts().get(i).toString())));
                }
                boolean shared = run.jobsPerContainer() > 1;
                agents.sent(shard.node(), attempts, shared ? 1 : attempts.size(), now);
                attempts.forEach(a -> latency.dispatched(a.runId(), a.job(), a.attempt(), now));
                agents.ref(shard.node()).ifPresent(agent -> agent.tell(new RunShard(shard.shardId(), attempts, specs,
                        shared, SuiteExpansion.outputTailBytes(run), run.isListing(), context.getSelf())));
                streams.publish(shard.runId(), new SchedulerProtocol.ShardStarted(shard.runId(), shard.node(),
                        attempts));
            }
        });
    }

    private void requestDispatch() {
        if (!dispatchRequested) {
            dispatchRequested = true;
            context.getSelf().tell(Dispatch.INSTANCE);
        }
    }

    /** Tells the followers what became of lost attempts: each runs again, or failed for good. */
    private void publishLost(SchedulerState state, List<AttemptsLost> lostEvents) {
        java.util.Set<String> runs = new java.util.LinkedHashSet<>();
        for (AttemptsLost lost : lostEvents) {
            JobResult result = JobResult.infrastructureError(lost.reason());
            for (JobAttempt attempt : lost.attempts()) {
                publishEnded(state, attempt, result, "");
                runs.add(attempt.runId());
            }
        }
        runs.forEach(runId -> completeIfFinished(state, runId));
    }

    /** Tells the run's followers how an attempt ended and where its job stands now: final, or to run again. */
    private void publishEnded(SchedulerState state, JobAttempt attempt, JobResult result, String outputTail) {
        JobStatus status = state.jobStatus(attempt.runId(), attempt.job());
        streams.publish(attempt.runId(), new SchedulerProtocol.AttemptCompleted(attempt.runId(), attempt, result,
                status, outputTail));
        if (status == JobStatus.PENDING) {
            latency.jobRequeued(attempt.runId(), attempt.job(), System.currentTimeMillis());
        }
    }

    private void completeIfFinished(SchedulerState state, String runId) {
        RunSummary summary = state.summary(runId).orElseThrow();
        if (summary.finished()) {
            runEnded(summary);
        }
    }

    /** Tells the run's followers it ended, and stops timing its jobs' waits. */
    private void runEnded(RunSummary summary) {
        streams.complete(summary.runId(), new SchedulerProtocol.RunCompleted(summary.runId(), summary));
        latency.runEnded(summary.runId());
    }
}
