package io.flotilla.http;

import io.flotilla.agent.AttemptOutput;
import io.flotilla.agent.NodeAgent;
import io.flotilla.agent.NodeStore;
import io.flotilla.agent.PeerHttp;
import io.flotilla.protocol.NodeAgentProtocol;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.JobStatus;
import io.flotilla.protocol.run.RunSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;

/**
 * Job output, whole and live. {@code GET /v1/jobs/RUN:JOB/output} serves one stream of an attempt (the latest, or
 * the one asked for) from whichever node has it: this one, the node that runs it while it runs, or a node that
 * kept a copy after it ended, so the output outlives the node that ran the job. With {@code follow=true} it keeps
 * the response open and sends what the job prints until it ends. {@code GET /v1/outputs/RUN/NAME/STREAM} is what
 * nodes read from each other; like a blob's digest, the NAME (keyed by the serving node's secret) is what gives the
 * right to read it.
 */
final class OutputRoutes extends AllDirectives {
    private static final Duration FIND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int CHUNK_BYTES = 64 * 1024;

    private final ActorSystem<?> system;
    private final SchedulerAsk scheduler;
    private final NodeStore outputs;
    private final Executor blockingIo;
    private final Auth auth;
    private final PeerHttp peers;

    OutputRoutes(ActorSystem<?> system, SchedulerAsk scheduler, NodeStore outputs, Executor blockingIo, Auth auth,
                 PeerHttp peers) {
        this.system = system;
        this.scheduler = scheduler;
        this.outputs = outputs;
        this.blockingIo = blockingIo;
        this.auth = auth;
        this.peers = peers;
    }

    Route route() {
        return pathPrefix("v1", () -> concat(
                pathPrefix("jobs", () -> pathPrefix(PathMatchers.segment(), jobId -> path("output",
                        () -> get(() -> auth.require(Caller.Role.READ, caller -> jobOutput(jobId)))))),
                pathPrefix("outputs", () -> pathPrefix(PathMatchers.segment(), runId -> pathPrefix(
                        PathMatchers.segment(), name -> path(PathMatchers.segment(), stream -> get(
                                () -> nodeOutput(runId, name, stream))))))));
    }

    private Route jobOutput(String jobId) {
        return parameterOptional("stream", streamParam -> parameterOptional("attempt", attemptParam ->
                parameterOptional("follow", followParam -> {
                    JobAttempt job;
                    AttemptOutput.Stream stream;
                    Optional<Integer> attempt;
                    boolean follow;
                    try {
                        job = jobOf(jobId);
                        stream = streamParam.map(OutputRoutes::stream).orElse(AttemptOutput.Stream.STDOUT);
                        attempt = attemptParam.map(text -> QueryParams.number(text, "attempt", 1, 1_000_000));
                        follow = followParam.map(text -> QueryParams.flag(text, "follow")).orElse(false);
                    } catch (InvalidSpecException e) {
                        return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, e.getMessage(), e.field()));
                    }
                    return scheduler.<SchedulerProtocol.JobsReply>askRoute(replyTo -> new SchedulerProtocol.GetJobs(
                            job.runId(), null, job.job(), 1, replyTo), reply -> {
                        if (!(reply instanceof SchedulerProtocol.JobsFound found) || found.jobs().isEmpty()) {
                            return complete(ApiErrors.response(StatusCodes.NOT_FOUND, "no job " + jobId, "jobId"));
                        }
                        SchedulerProtocol.JobView view = found.jobs().get(0);
                        if (view.attempts() == 0) {
                            return complete(ApiErrors.response(StatusCodes.NOT_FOUND, "job " + jobId
                                    + " has not started yet", "jobId"));
                        }
                        if (attempt.orElse(view.attempts()) > view.attempts()) {
                            return complete(ApiErrors.response(StatusCodes.NOT_FOUND, "job " + jobId + " has had "
                                    + view.attempts() + " attempt" + (view.attempts() == 1 ? "" : "s"), "attempt"));
                        }
                        JobAttempt wanted = new JobAttempt(job.runId(), job.job(), attempt.orElse(view.attempts()));
                        return completeWithFuture(serve(wanted, view, stream, follow));
                    });
                })));
    }

    /** From this node if it has the output, else from another node that has it, preferring the one running it. */
    private CompletionStage<HttpResponse> serve(JobAttempt attempt, SchedulerProtocol.JobView view,
                                                AttemptOutput.Stream stream, boolean follow) {
        return CompletableFuture.supplyAsync(() -> outputs.output(attempt), blockingIo).thenCompose(local -> {
            if (local.isPresent()) {
                return CompletableFuture.completedFuture(ok(bytes(local.get(), stream, follow)));
            }
            return findElsewhere(attempt).thenCompose(url -> url.isPresent()
                    ? proxy(attempt, url.get() + "/" + stream.name().toLowerCase(Locale.ROOT) + "?follow=" + follow)
                    : CompletableFuture.completedFuture(nowhere(attempt, view, stream)));
        });
    }

    private CompletionStage<Optional<String>> findElsewhere(JobAttempt attempt) {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                replyTo -> Receptionist.find(NodeAgent.SERVICE_KEY, replyTo), FIND_TIMEOUT, system.scheduler())
                .thenCompose(listing -> {
                    List<CompletableFuture<NodeAgentProtocol.Reply>> answers = listing
                            .getServiceInstances(NodeAgent.SERVICE_KEY).stream()
                            .map(agent -> AskPattern.<NodeAgentProtocol.Command, NodeAgentProtocol.Reply>ask(agent,
                                    replyTo -> new NodeAgentProtocol.FindOutput(attempt, replyTo), FIND_TIMEOUT,
                                    system.scheduler()).toCompletableFuture().exceptionally(unanswered -> null))
                            .toList();
                    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(all ->
                            answers.stream().map(CompletableFuture::join)
                                    .filter(reply -> reply instanceof NodeAgentProtocol.OutputLocation location
                                            && location.url() != null)
                                    .map(NodeAgentProtocol.OutputLocation.class::cast)
                                    .max(Comparator.comparing(NodeAgentProtocol.OutputLocation::live))
                                    .map(NodeAgentProtocol.OutputLocation::url));
                });
    }

    /** The other node's stream, read on the blocking-I/O threads as it comes, so a followed output stays live. */
    private CompletionStage<HttpResponse> proxy(JobAttempt attempt, String url) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                InputStream body = peers.get(url);
                return ok(StreamConverters.fromInputStream(() -> body, CHUNK_BYTES)
                        .mapMaterializedValue(ignored -> NotUsed.getInstance()));
            } catch (IOException e) {
                return ApiErrors.response(StatusCodes.BAD_GATEWAY, "the node that has the output of attempt "
                        + attempt.attempt() + " could not serve it: " + e.getMessage(), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reaching another node", e);
            }
        }, blockingIo);
    }

    /** No node has the output: fine when the attempt printed nothing on that stream, else it was lost with its node. */
    private static HttpResponse nowhere(JobAttempt attempt, SchedulerProtocol.JobView view,
                                        AttemptOutput.Stream stream) {
        JobResult result = attempt.attempt() == view.attempts() ? view.result() : null;
        if (result != null && (stream == AttemptOutput.Stream.STDOUT ? result.stdout() : result.stderr()).bytes()
                == 0) {
            return ok(Source.empty());
        }
        String job = attempt.runId() + ":" + attempt.job();
        if (result == null && attempt.attempt() == view.attempts() && view.status() == JobStatus.RUNNING) {
            return ApiErrors.response(StatusCodes.NOT_FOUND, "attempt " + attempt.attempt() + " of job " + job
                    + " has no output yet: it waits for a slot on its node (or its node is gone, and it will run "
                    + "again)", "jobId");
        }
        return ApiErrors.response(StatusCodes.NOT_FOUND, "no node has the output of attempt " + attempt.attempt()
                + " of job " + job + " (the node that ran it may be gone)", "jobId");
    }

    private Route nodeOutput(String runId, String name, String streamName) {
        return parameterOptional("follow", followParam -> {
            AttemptOutput.Stream stream;
            boolean follow;
            try {
                InvalidSpecException.require(RunSpec.isRunId(runId), "name", "no such output");
                stream = stream(streamName);
                follow = followParam.map(text -> QueryParams.flag(text, "follow")).orElse(false);
            } catch (InvalidSpecException e) {
                return complete(ApiErrors.response(StatusCodes.NOT_FOUND, e.getMessage(), e.field()));
            }
            return completeWithFuture(CompletableFuture.supplyAsync(() -> outputs.outputByName(runId, name),
                    blockingIo).thenApply(found -> found.map(output -> ok(bytes(output, stream, follow)))
                    .orElseGet(() -> ApiErrors.response(StatusCodes.NOT_FOUND, "no such output", "name"))));
        });
    }

    private static HttpResponse ok(Source<ByteString, NotUsed> bytes) {
        return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, bytes));
    }

    /** The stream from its start; with {@code follow}, on until the attempt has ended and all of it was sent. */
    private Source<ByteString, NotUsed> bytes(AttemptOutput output, AttemptOutput.Stream stream, boolean follow) {
        return Source.unfoldAsync(0L, offset -> next(output, stream, follow, offset));
    }

    private CompletionStage<Optional<Pair<Long, ByteString>>> next(AttemptOutput output, AttemptOutput.Stream stream,
                                                                   boolean follow, long offset) {
        return CompletableFuture.supplyAsync(() -> {
            boolean endedBefore = output.isEnded(); // read after: nothing written before the end is missed
            try {
                return Pair.create(endedBefore, output.read(stream, offset, CHUNK_BYTES));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, blockingIo).thenCompose(read -> {
            byte[] chunk = read.second();
            if (chunk.length > 0) {
                return CompletableFuture.completedFuture(Optional.of(Pair.create(offset + chunk.length,
                        ByteString.fromArray(chunk))));
            }
            if (read.first() || !follow) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            return Patterns.after(POLL, system, () -> next(output, stream, follow, offset));
        });
    }

    private static JobAttempt jobOf(String jobId) {
        int colon = jobId.lastIndexOf(':');
        String runId = colon < 0 ? "" : jobId.substring(0, colon);
        String index = jobId.substring(colon + 1);
        InvalidSpecException.require(RunSpec.isRunId(runId) && index.matches("\\d{1,9}"),
                "jobId", "a job id is RUN:INDEX, like r-1f2e:17; got '" + jobId + "'");
        return new JobAttempt(runId, Integer.parseInt(index), 0);
    }

    private static AttemptOutput.Stream stream(String text) {
        InvalidSpecException.require(text.equals("stdout") || text.equals("stderr"), "stream",
                "stream must be stdout or stderr, got '" + text + "'");
        return AttemptOutput.Stream.valueOf(text.toUpperCase(Locale.ROOT));
    }
}
