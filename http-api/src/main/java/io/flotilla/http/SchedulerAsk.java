package io.flotilla.http;

import io.flotilla.protocol.SchedulerProtocol;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * How routes ask the scheduler singleton: wait a bounded time, and when no answer comes (the singleton is moving
 * to another node) tell the client 503 and when to retry, rather than hang or fail.
 */
final class SchedulerAsk extends AllDirectives {
    private final ActorRef<SchedulerProtocol.Command> scheduler;
    private final ActorSystem<?> system;
    private final Duration timeout;

    SchedulerAsk(ActorRef<SchedulerProtocol.Command> scheduler, ActorSystem<?> system, Duration timeout) {
        this.scheduler = scheduler;
        this.system = system;
        this.timeout = timeout;
    }

    /** The scheduler's answer; fails with a timeout when none comes in time. */
    <R> CompletionStage<R> request(Function<ActorRef<R>, SchedulerProtocol.Command> message) {
        return AskPattern.ask(scheduler, message::apply, timeout, system.scheduler());
    }

    /** A message that wants no answer. */
    void tell(SchedulerProtocol.Command message) {
        scheduler.tell(message);
    }

    /**
     * Tells the scheduler a message now and again every {@code period} until cancelled: how a subscription outlives
     * the singleton moving to another node, which forgets its subscribers.
     */
    Cancellable tellEvery(Duration period, Supplier<SchedulerProtocol.Command> message) {
        return system.scheduler().scheduleWithFixedDelay(period, period, () -> scheduler.tell(message.get()),
                system.executionContext());
    }

    /** A route made from the scheduler's answer, or 503 when none comes in time. */
    <R> Route askRoute(Function<ActorRef<R>, SchedulerProtocol.Command> message, Function<R, Route> answer) {
        return onComplete(request(message), outcome -> outcome.isSuccess() ? answer.apply(outcome.get())
                : complete(unavailable()));
    }

    private HttpResponse unavailable() {
        return ApiErrors.unavailable("the scheduler did not answer within " + timeout.toSeconds()
                + " s; it may be moving to another node: retry");
    }

    /** A route that completes with the scheduler's answer made a response, or with 503. */
    <R> Route ask(Function<ActorRef<R>, SchedulerProtocol.Command> message, Function<R, HttpResponse> answer) {
        return askRoute(message, reply -> complete(answer.apply(reply)));
    }
}
