package io.flotilla.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.SchedulerProtocol.NumberedEvent;
import io.flotilla.protocol.SchedulerProtocol.RunEvent;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * {@code GET /v1/runs/{id}/events}: a run's events as server-sent events, each with the id {@code EPOCH:SEQ}. A
 * client that reconnects with {@code Last-Event-ID} gets every event after that one, exactly once; if the scheduler
 * has moved since (a new epoch), a {@code restarted} event comes first and then the final result of every job so
 * far. The stream ends with the run's {@code completed} event. The subscription is renewed every few seconds, so
 * that when the scheduler moves while a client listens, the stream goes on: a {@code restarted} event, the finals so
 * far, and on.
 */
final class RunEventStream extends AllDirectives {
    private static final Pattern EVENT_ID = Pattern.compile("([0-9a-f]{1,16}):(\\d{1,18})");
    private static final int BUFFER = 100_000;
    /** How often the subscription is renewed: a scheduler that moved has forgotten it, and picks it up again. */
    private static final Duration RENEWAL = Duration.ofSeconds(5);

    /** The last event the client was sent, where a renewed subscription goes on from. */
    private record Position(String epoch, long seq) {
    }

    private final SchedulerAsk scheduler;

    RunEventStream(SchedulerAsk scheduler) {
        this.scheduler = scheduler;
    }

    Route route(String runId) {
        return optionalHeaderValueByName("Last-Event-ID", lastId -> {
            String epoch = "";
            long after = 0;
            if (lastId.isPresent()) {
                Matcher id = EVENT_ID.matcher(lastId.get().trim());
                if (!id.matches()) {
                    return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "Last-Event-ID must be an id this "
                            + "stream sent, like 3fa85f64:120, got '" + lastId.get() + "'", "Last-Event-ID"));
                }
                epoch = id.group(1);
                after = Long.parseLong(id.group(2));
            }
            String fromEpoch = epoch;
            long fromSeq = after;
            return scheduler.<SchedulerProtocol.RunReply>askRoute(replyTo -> new SchedulerProtocol.GetRun(runId,
                    replyTo), reply -> reply instanceof SchedulerProtocol.RunFound
                    ? stream(runId, fromEpoch, fromSeq)
                    : complete(ApiErrors.response(StatusCodes.NOT_FOUND, "no run " + runId, "runId")));
        });
    }

    private Route stream(String runId, String epoch, long after) {
        return extractMaterializer(materializer -> {
            Pair<ActorRef<NumberedEvent>, Source<NumberedEvent, NotUsed>> events = ActorSource.<NumberedEvent>actorRef(
                    event -> false, event -> Optional.empty(), BUFFER, OverflowStrategy.fail())
                    .preMaterialize(materializer);
            AtomicReference<Position> last = new AtomicReference<>(new Position(epoch, after));
            scheduler.tell(new SchedulerProtocol.FollowRunEvents(runId, epoch, after, events.first()));
            Cancellable renewal = scheduler.tellEvery(RENEWAL, () -> new SchedulerProtocol.FollowRunEvents(runId,
                    last.get().epoch(), last.get().seq(), events.first()));
            Source<ServerSentEvent, NotUsed> sse = events.second()
                    .takeWhile(event -> !(event.event() instanceof SchedulerProtocol.RunCompleted
                            || event.event() instanceof SchedulerProtocol.RunUnknown), true)
                    .map(event -> {
                        last.set(new Position(event.epoch(), event.seq()));
                        return ServerSentEvent.create(json(event.event()).toString(), Optional.of(type(event.event())),
                                Optional.of(event.epoch() + ":" + event.seq()), OptionalInt.empty());
                    })
                    .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat)
                    .watchTermination((notUsed, done) -> {
                        done.whenComplete((ended, error) -> renewal.cancel());
                        return notUsed;
                    });
            return completeOK(sse, EventStreamMarshalling.toEventStream());
        });
    }

    private static String type(RunEvent event) {
        if (event instanceof SchedulerProtocol.ShardStarted) {
            return "started";
        } else if (event instanceof SchedulerProtocol.AttemptCompleted) {
            return "attempt";
        } else if (event instanceof SchedulerProtocol.RunCompleted) {
            return "completed";
        } else if (event instanceof SchedulerProtocol.StreamRestarted) {
            return "restarted";
        }
        return "unknown";
    }

    private static ObjectNode json(RunEvent event) {
        ObjectNode node = ApiJson.MAPPER.createObjectNode().put("type", type(event));
        if (event instanceof SchedulerProtocol.ShardStarted started) {
            node.put("node", started.node());
            ArrayNode jobs = node.putArray("jobs");
            started.attempts().forEach(attempt -> jobs.addObject().put("job", attempt.job())
                    .put("attempt", attempt.attempt()));
        } else if (event instanceof SchedulerProtocol.AttemptCompleted completed) {
            node.put("job", completed.attempt().job()).put("attempt", completed.attempt().attempt())
                    .put("state", completed.status().name().toLowerCase(Locale.ROOT));
            if (completed.result() != null) {
                node.set("result", ApiJson.result(completed.result()));
            }
            if (completed.outputTail() != null && !completed.outputTail().isEmpty()) {
                node.put("output", completed.outputTail());
            }
        } else if (event instanceof SchedulerProtocol.RunCompleted completed) {
            node.setAll(ApiJson.run(completed.summary()));
        }
        return node;
    }
}
