package io.flotilla.agent;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxJob;
import io.flotilla.sandbox.SharedContainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts what one slot of the node agent runs: one attempt in a container of its own, or the attempts of a shard
 * one after another in a shared container. Each attempt's output is served live from the moment it starts, then
 * kept in the {@link OutputStore} and copied to a peer. Its methods block on files and the launcher, so they run on
 * the agent's blocking-I/O dispatcher.
 */
final class ContainerStarter {
    private static final Logger log = LoggerFactory.getLogger(ContainerStarter.class);

    /** What an attempt reports: its result and the end of its output. */
    record Report(JobResult result, String outputTail) {
    }

    /** A started container: how to kill it, and its attempts' reports, in order, once it has ended. */
    record Running(Runnable cancel, CompletableFuture<List<Report>> reports) {
    }

    private final Sandbox sandbox;
    private final LayerFetcher fetcher;
    private final OutputStore outputs;
    private final OutputCopies copies;
    private final Executor blockingIo;
    private final int outputTailBytes;

    ContainerStarter(Sandbox sandbox, LayerFetcher fetcher, OutputStore outputs, OutputCopies copies,
                     Executor blockingIo, int outputTailBytes) {
        this.sandbox = sandbox;
        this.fetcher = fetcher;
        this.outputs = outputs;
        this.copies = copies;
        this.blockingIo = blockingIo;
        this.outputTailBytes = outputTailBytes;
    }

    /** Fetches the layers the unit lacks, then starts it. */
    Running start(SlotQueue.Unit unit) {
        unit.specs().stream().distinct().forEach(fetcher::ensureLayers);
        if (!unit.shared()) {
            SandboxJob job = sandbox.start(unit.specs().get(0));
            AttemptOutput output = outputs.startLive(unit.attempts().get(0), job.output().stdout(),
                    job.output().stderr());
            return new Running(job::cancel, job.result().thenApplyAsync(result -> List.of(ended(result, output, unit)),
                    blockingIo));
        }
        SharedContainer container = sandbox.startShared(unit.specs());
        List<AttemptOutput> live = IntStream.range(0, unit.attempts().size()).mapToObj(job -> outputs.startLive(
                unit.attempts().get(job), container.stdout(job), container.stderr(job))).toList();
        return new Running(container::cancel, container.results().thenApplyAsync(results -> {
            List<Report> reports = new ArrayList<>(results.size());
            for (int job = 0; job < results.size(); job++) {
                reports.add(ended(results.get(job), live.get(job), unit));
            }
            try {
                container.delete();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return reports;
        }, blockingIo));
    }

    /** Reads the end of an ended attempt's output for its report, then keeps the whole of it here and on a peer. */
    private Report ended(JobResult result, AttemptOutput output, SlotQueue.Unit unit) {
        int bytes = unit.outputTailBytes() > 0 ? unit.outputTailBytes() : outputTailBytes;
        String tail = OutputTail.read(output, bytes, unit.listing() && result.succeeded() ? 0 : bytes);
        JobAttempt attempt = output.attempt();
        try {
            if (unit.listing()) {
                outputs.discard(output);
            } else if (outputs.keep(output)) {
                copies.copyToAPeer(output);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not keep the output of {}: {}", attempt, e.toString());
        }
        return new Report(result, tail);
    }

    /** The same report for every attempt of a unit that never started. */
    static List<Report> sameForAll(SlotQueue.Unit unit, JobResult result) {
        return unit.attempts().stream().map(attempt -> new Report(result, "")).toList();
    }
}
