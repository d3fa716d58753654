package io.flotilla.agent;

import io.flotilla.protocol.job.JobResult;
import io.flotilla.sandbox.Sandbox;
import io.flotilla.sandbox.SandboxJob;
import io.flotilla.sandbox.SharedContainer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Starts what one slot of the node agent runs: one attempt in a container of its own, or the attempts of a shard
 * one after another in a shared container. Its methods block on files and the launcher, so they run on the
 * agent's blocking-I/O dispatcher.
 */
final class ContainerStarter {
    /** What an attempt reports: its result and the end of its output. */
    record Report(JobResult result, String outputTail) {
    }

    /** A started container: how to kill it, and its attempts' reports, in order, once it has ended. */
    record Running(Runnable cancel, CompletableFuture<List<Report>> reports) {
    }

    private final Sandbox sandbox;
    private final LayerFetcher fetcher;
    private final Executor blockingIo;
    private final int outputTailBytes;

    ContainerStarter(Sandbox sandbox, LayerFetcher fetcher, Executor blockingIo, int outputTailBytes) {
        this.sandbox = sandbox;
        this.fetcher = fetcher;
        this.blockingIo = blockingIo;
        this.outputTailBytes = outputTailBytes;
    }

    /** Fetches the layers the unit lacks, then starts it. */
    Running start(SlotQueue.Unit unit) {
        unit.specs().stream().distinct().forEach(fetcher::ensureLayers);
        if (!unit.shared()) {
            SandboxJob job = sandbox.start(unit.specs().get(0));
            return new Running(job::cancel, job.result().thenApplyAsync(result -> List.of(new Report(result,
                    OutputTail.readAndDelete(job.output(), outputTailBytes))), blockingIo));
        }
        SharedContainer container = sandbox.startShared(unit.specs());
        return new Running(container::cancel, container.results().thenApplyAsync(results -> {
            List<Report> reports = new ArrayList<>(results.size());
            for (int job = 0; job < results.size(); job++) {
                reports.add(new Report(results.get(job), OutputTail.read(container.stdout(job),
                        container.stderr(job), outputTailBytes)));
            }
            try {
                container.delete();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return reports;
        }, blockingIo));
    }

    /** The same report for every attempt of a unit that never started. */
    static List<Report> sameForAll(SlotQueue.Unit unit, JobResult result) {
        return unit.attempts().stream().map(attempt -> new Report(result, "")).toList();
    }
}
