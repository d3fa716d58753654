package io.flotilla.scheduler.core;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.protocol.run.RunSpec;
import io.flotilla.scheduler.core.SchedulerEvent.JobFinished;
import io.flotilla.scheduler.core.SchedulerEvent.RunAccepted;
import io.flotilla.scheduler.core.SchedulerEvent.ShardDispatched;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench/run scheduler}: the pure scheduler core with 1,000 simulated slots on 10 nodes and 1,000,000 queued
 * jobs (10 runs of 4 users, each job its own container spec) that finish as soon as they are placed. It prints how
 * many placement decisions per second the core makes, counting the journal events applied for them, and how many
 * heap bytes each queued job costs. Then it drives the scheduler actor itself, journal included, with simulated
 * agents in this JVM. It never fails on speed.
 *
 * <p>Arguments: [JOBS [SLOTS]], default 1000000 1000.
 */
public final class SchedulerBenchmark {
    private static final int NODES = 10;
    private static final int RUNS = 10;
    private static final int SHARD_SIZE = 32;

    private SchedulerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int slots = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        long heapBefore = usedHeap();
        SchedulerState state = new SchedulerState();
        for (int r = 0; r < RUNS; r++) {
            List<ContainerSpec> specs = new ArrayList<>(jobs / RUNS);
            for (int i = 0; i < jobs / RUNS; i++) {
                specs.add(ContainerSpec.builder("/bin/test-case", "--case", Integer.toString(r * (jobs / RUNS) + i))
                        .build());
            }
            state.apply(new RunAccepted(new RunSpec("run-" + r, "user-" + r % 4, 0, 0, specs, null), 0));
        }
        long bytesPerJob = (usedHeap() - heapBefore) / jobs;
        JobResult passed = SchedulerStateTest.exited(0);

        long decisions = 0;
        long events = 0;
        long start = System.nanoTime();
        int perNode = slots / NODES;
        while (state.pendingJobs() > 0) {
            for (int node = 0; node < NODES; node++) {
                String name = "node-" + node;
                for (ShardDispatched shard : state.decideShards(name, perNode, SHARD_SIZE, 0)) {
                    state.apply(shard);
                    events++;
                    for (int i = 0; i < shard.jobs().size(); i++) {
                        state.apply(new JobFinished(new JobAttempt(shard.runId(), shard.jobs().get(i),
                                shard.attempts().get(i)), passed));
                        events++;
                        decisions++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "queued jobs: %d in %d runs of 4 users; slots: %d on %d nodes%n", jobs, RUNS,
                slots, NODES);
        System.out.printf(Locale.ROOT, "placed and finished every job in %.2f s: %d placements, %d events applied%n",
                seconds, decisions, events);
        int shellJobs = Math.min(jobs, 20_000);
        double shell = io.flotilla.scheduler.SchedulerActorBenchmark.jobsPerSecond(shellJobs, NODES, perNode);
        System.out.printf(Locale.ROOT, "actor shell with an H2 journal: %d jobs on %d simulated agents at %.0f jobs/s"
                + " (each job: a placement, a journaled dispatch and a journaled result)%n", shellJobs, NODES, shell);
        System.out.printf(Locale.ROOT, "RESULT scheduler_decisions_per_s %d%n", Math.round(decisions / seconds));
        System.out.printf(Locale.ROOT, "RESULT bytes_per_queued_job %d%n", bytesPerJob);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
