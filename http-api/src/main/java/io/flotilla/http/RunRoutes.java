package io.flotilla.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.LimitPolicy;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** {@code /v1/runs}: submit a run, see how far it got, list its jobs, cancel it; each by asking the scheduler. */
final class RunRoutes extends AllDirectives {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ContentType NDJSON = ContentTypes.create(MediaTypes.applicationWithOpenCharset("x-ndjson"),
            HttpCharsets.UTF_8);

    private final SchedulerAsk scheduler;
    private final Auth auth;
    private final long maxRequestBytes;
    private final LimitPolicy limits;
    private final RunEventStream events;

    RunRoutes(SchedulerAsk scheduler, Auth auth, long maxRequestBytes, LimitPolicy limits) {
        this.scheduler = scheduler;
        this.auth = auth;
        this.maxRequestBytes = maxRequestBytes;
        this.limits = limits;
        this.events = new RunEventStream(scheduler);
    }

    Route route() {
        return pathPrefix("v1", () -> pathPrefix("runs", () -> concat(
                pathEndOrSingleSlash(() -> post(() -> auth.require(Caller.Role.SUBMIT, this::submit))),
                pathPrefix(PathMatchers.segment(), runId -> validRunId(runId, () -> concat(
                        pathEnd(() -> concat(
                                get(() -> auth.require(Caller.Role.READ, caller -> getRun(runId))),
                                delete(() -> auth.require(Caller.Role.SUBMIT, caller -> cancel(runId, caller))))),
                        path("jobs", () -> get(() -> auth.require(Caller.Role.READ, caller -> jobs(runId)))),
                        path("results.ndjson", () -> get(() -> auth.require(Caller.Role.READ,
                                caller -> results(runId)))),
                        path("events", () -> get(() -> auth.require(Caller.Role.READ,
                                caller -> events.route(runId))))))))));
    }

    private Route validRunId(String runId, Supplier<Route> inner) {
        if (!RunSpec.isRunId(runId)) {
            return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, RunSpec.RUN_ID_RULE + ", got '" + runId + "'",
                    "runId"));
        }
        return inner.get();
    }

    private Route submit(Caller caller) {
        return extractRequestEntity(entity -> {
            if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
                return complete(ApiErrors.response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "a run is submitted as "
                        + "application/json, not " + entity.getContentType().mediaType(), null));
            }
            if (entity.getContentLengthOption().orElse(0L) > maxRequestBytes) {
                return complete(tooLarge());
            }
            return withSizeLimit(maxRequestBytes, () -> optionalHeaderValueByName("Idempotency-Key", key ->
                    entity(Unmarshaller.entityToByteArray(), body -> submit(caller, body, key))));
        });
    }

    private Route submit(Caller caller, byte[] body, Optional<String> idempotencyKey) {
        RunSubmission.Outcome outcome = RunSubmission.parse(body, caller, idempotencyKey,
                new SubmitRules(limits, caller.hostNetwork()), newRunId(), RANDOM.nextLong());
        if (outcome instanceof RunSubmission.Refused refused) {
            return complete(ApiErrors.response(refused.status(), refused.message(), refused.field()));
        }
        RunSubmission.Parsed parsed = (RunSubmission.Parsed) outcome;
        RunSpec spec = parsed.spec();
        return scheduler.<SchedulerProtocol.SubmitReply>ask(replyTo -> new SchedulerProtocol.SubmitRun(spec, replyTo),
                reply -> {
            if (reply instanceof SchedulerProtocol.Accepted accepted) {
                return ApiJson.response(StatusCodes.ACCEPTED, ApiJson.MAPPER.createObjectNode()
                        .put("runId", accepted.runId()).put("duplicate", accepted.duplicate()));
            }
            SchedulerProtocol.Rejected rejected = (SchedulerProtocol.Rejected) reply;
            if (!rejected.field().equals("runId")) {
                return ApiErrors.response(StatusCodes.UNPROCESSABLE_ENTITY, rejected.message(), rejected.field());
            }
            return !parsed.namedItsRunId() && idempotencyKey.isPresent()
                    ? ApiErrors.response(StatusCodes.CONFLICT, "Idempotency-Key " + idempotencyKey.get()
                            + " was already used for a different run (" + rejected.runId() + ")", "Idempotency-Key")
                    : ApiErrors.response(StatusCodes.CONFLICT, rejected.message(), rejected.field());
        });
    }

    private HttpResponse tooLarge() {
        return ApiErrors.response(StatusCodes.CONTENT_TOO_LARGE, "the request is larger than this node's limit of "
                + maxRequestBytes + " bytes (flotilla.http.max-request-size)", null);
    }

    private static String newRunId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "r-" + HexFormat.of().formatHex(bytes);
    }

    private Route getRun(String runId) {
        return scheduler.<SchedulerProtocol.RunReply>ask(replyTo -> new SchedulerProtocol.GetRun(runId, replyTo),
                this::runReply);
    }

    private Route cancel(String runId, Caller caller) {
        return scheduler.<SchedulerProtocol.RunReply>ask(replyTo -> new SchedulerProtocol.CancelRun(runId,
                caller.user(), caller.role() == Caller.Role.ADMIN, replyTo), this::runReply);
    }

    private HttpResponse runReply(SchedulerProtocol.RunReply reply) {
        if (reply instanceof SchedulerProtocol.RunFound found) {
            return ApiJson.response(StatusCodes.OK, ApiJson.run(found.summary()));
        }
        if (reply instanceof SchedulerProtocol.CancelRefused refused) {
            return ApiErrors.response(StatusCodes.FORBIDDEN, "run " + refused.runId() + " belongs to "
                    + refused.owner() + ": only " + refused.owner() + " or an admin may cancel it", "runId");
        }
        return notFound(((SchedulerProtocol.RunNotFound) reply).runId());
    }

    private static HttpResponse notFound(String runId) {
        return ApiErrors.response(StatusCodes.NOT_FOUND, "no run " + runId, "runId");
    }

    private Route jobs(String runId) {
        return parameterOptional("state", state -> parameterOptional("from", from -> parameterOptional("limit",
                limit -> {
                    JobStatus status;
                    int first;
                    int count;
                    try {
                        status = state.map(RunRoutes::jobStatus).orElse(null);
                        first = from.map(text -> QueryParams.number(text, "from", 0, Integer.MAX_VALUE)).orElse(0);
                        count = limit.map(text -> QueryParams.number(text, "limit", 1,
                                        SchedulerProtocol.MAX_JOBS_PER_PAGE))
                                .orElse(SchedulerProtocol.MAX_JOBS_PER_PAGE);
                    } catch (InvalidSpecException e) {
                        return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, e.getMessage(), e.field()));
                    }
                    return scheduler.<SchedulerProtocol.JobsReply>ask(
                            replyTo -> new SchedulerProtocol.GetJobs(runId, status, first, count, replyTo),
                            reply -> {
                                if (reply instanceof SchedulerProtocol.JobsFound found) {
                                    ArrayNode jobs = ApiJson.MAPPER.createArrayNode();
                                    found.jobs().forEach(job -> jobs.add(ApiJson.job(job)));
                                    ObjectNode page = ApiJson.MAPPER.createObjectNode();
                                    page.set("jobs", jobs);
                                    if (found.next() >= 0) {
                                        page.put("next", found.next());
                                    } else {
                                        page.putNull("next");
                                    }
                                    return ApiJson.response(StatusCodes.OK, page);
                                }
                                return notFound(runId);
                            });
                })));
    }

    /**
     * Every job of the run as one JSON line, in job order, streamed page by page as the scheduler answers: a run of
     * a million jobs is never held whole, here or there.
     */
    private Route results(String runId) {
        return scheduler.<SchedulerProtocol.JobsReply>askRoute(replyTo -> page(runId, 0, replyTo), first -> {
            if (!(first instanceof SchedulerProtocol.JobsFound found)) {
                return complete(notFound(runId));
            }
            Source<SchedulerProtocol.JobsFound, NotUsed> pages = Source.unfoldAsync(Optional.of(found), current -> {
                if (current.isEmpty()) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                SchedulerProtocol.JobsFound page = current.get();
                if (page.next() < 0) {
                    return CompletableFuture.completedFuture(Optional.of(Pair.create(Optional.empty(), page)));
                }
                return scheduler.<SchedulerProtocol.JobsReply>request(replyTo -> page(runId, page.next(), replyTo))
                        .thenApply(next -> Optional.of(Pair.create(Optional.of((SchedulerProtocol.JobsFound) next),
                                page)));
            });
            Source<ByteString, NotUsed> lines = pages.mapConcat(SchedulerProtocol.JobsFound::jobs)
                    .map(job -> ByteString.fromString(ApiJson.job(job) + "\n"));
            return complete(HttpResponse.create().withEntity(HttpEntities.create(NDJSON, lines)));
        });
    }

    private static SchedulerProtocol.GetJobs page(String runId, int from,
                                                  ActorRef<SchedulerProtocol.JobsReply> replyTo) {
        return new SchedulerProtocol.GetJobs(runId, null, from, SchedulerProtocol.MAX_JOBS_PER_PAGE, replyTo);
    }

    private static JobStatus jobStatus(String text) {
        try {
            return JobStatus.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("state", "unknown job state '" + text + "'; expected one of pending, "
                    + "running, passed, failed, cancelled");
        }
    }
}
