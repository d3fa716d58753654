package io.flotilla.sandbox;

import io.flotilla.protocol.job.Limits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup of one sandbox slot, reused job after job: a job joins it before it executes, so its limits hold
 * from its first instruction, and the counters it keeps say afterwards which limit the job ran into.
 */
interface JobCgroup {
    /** Sets the limits for the next job; writes only what changed since the last job. */
    void apply(Limits limits) throws IOException;

    /** The cgroup.procs files the job's pid goes into. The first one lists all of the job's processes. */
    List<Path> procsFiles(Limits limits);

    /** Which limits the job that just left this cgroup ran into. Call it once after each job. */
    LimitHits limitsHit(Limits limits) throws IOException;

    /** Whether the job was OOM-killed, or had a fork refused, because of its cgroup limits. */
    record LimitHits(boolean memory, boolean pids) {
    }

    /** Whether no process is left in the cgroup. */
    boolean isEmpty() throws IOException;

    /** SIGKILL to every process left in the cgroup. */
    void killAll() throws IOException;

    /** Removes the cgroup; it must be empty. */
    void remove() throws IOException;
}
