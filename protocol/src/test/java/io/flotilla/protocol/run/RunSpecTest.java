package io.flotilla.protocol.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run that cannot be scheduled is refused whole, with the field named. */
class RunSpecTest {
    private static final ContainerSpec JOB = ContainerSpec.builder("true").build();

    private static String field(Runnable bad) {
        return assertThrows(InvalidSpecException.class, bad::run).getMessage();
    }

    @Test
    void refusesAnEmptyJobList() {
        assertEquals("a run needs at least one job", field(() -> new RunSpec("r", "ann", 0, 0, List.of(), null)));
    }

    @Test
    void refusesMoreJobsThanTheLimitSayingSo() {
        List<ContainerSpec> jobs = Collections.nCopies(RunSpec.MAX_JOBS + 1, JOB);
        assertEquals("a run may have at most 1000000 jobs, this one has 1000001",
                field(() -> new RunSpec("r", "ann", 0, 0, jobs, null)));
    }

    @Test
    void acceptsOneHundredThousandJobs() {
        assertEquals(100_000, new RunSpec("r", "ann", 0, 0, Collections.nCopies(100_000, JOB), null).jobs().size());
    }

    @Test
    void refusesBadIdsUsersPrioritiesAndRetries() {
        field(() -> new RunSpec("no spaces", "ann", 0, 0, List.of(JOB), null));
        field(() -> new RunSpec("r", "", 0, 0, List.of(JOB), null));
        field(() -> new RunSpec("r", "ann", 5000, 0, List.of(JOB), null));
        field(() -> new RunSpec("r", "ann", 0, -1, List.of(JOB), null));
        field(() -> new RunSpec("r", "ann", 0, 11, List.of(JOB), null));
        field(() -> new RunSpec("r", "ann", 0, 0, List.of(JOB), List.of(1L, 2L)));
    }

    @Test
    void jobsThatShareContainersMayDifferOnlyInCommandEnvironmentWorkdirAndTimeout() {
        ContainerSpec other = ContainerSpec.builder("echo", "hi").env("SEED", "7").workdir("/tmp")
                .limits(Limits.DEFAULT.withTimeout(Duration.ofSeconds(5))).build();
        assertEquals(3, new RunSpec("r", "ann", 0, 0, List.of(JOB, other), null, 3, 0, 0).jobsPerContainer());
        assertEquals(1, new RunSpec("r", "ann", 0, 0, List.of(JOB), null, 0, 0, 0).jobsPerContainer(),
                "0, as in older journals, means one job per container");

        ContainerSpec networked = ContainerSpec.builder("true").network(NetworkMode.LOOPBACK).build();
        assertEquals("jobs that share containers may differ only in command, environment, working directory and "
                + "timeout, but job 1 differs from job 0 in more",
                field(() -> new RunSpec("r", "ann", 0, 0, List.of(JOB, networked), null, 2, 0, 0)));
        assertEquals(2, new RunSpec("r", "ann", 0, 0, List.of(JOB, networked), null, 1, 0, 0).jobs().size(),
                "jobs that do not share containers may differ in anything");
        assertEquals("jobs that share containers cannot read a stdin file", field(() -> new RunSpec("r", "ann", 0, 0,
                List.of(ContainerSpec.builder("cat").stdinFile("/etc/hostname").build()), null, 2, 0, 0)));
        assertEquals("jobs per container -1 is outside 1 .. 10000",
                field(() -> new RunSpec("r", "ann", 0, 0, List.of(JOB), null, -1, 0, 0)));
    }

    @Test
    void refusesANegativeParallelCapOrStopCount() {
        assertEquals("max parallel must be 0 (no cap) or more, got -1",
                field(() -> new RunSpec("r", "ann", 0, 0, List.of(JOB), null, 1, -1, 0)));
        assertEquals("stop after failures must be 0 (never) or more, got -2",
                field(() -> new RunSpec("r", "ann", 0, 0, List.of(JOB), null, 1, 0, -2)));
    }
}
