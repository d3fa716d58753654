package io.flotilla.protocol.job;

import java.time.Duration;

/**
 * What a job may consume. Zero means "no limit" for memory, pids, CPU and timeout; the output limit always holds,
 * so that a job printing forever cannot fill a node's disk.
 *
 * @param memoryBytes memory limit of the whole job, page cache and tmpfs included; 0 for none
 * @param pids how many processes and threads the job may have at once; 0 for none
 * @param cpuMillis CPU time per wall-clock second, in thousandths of a core (1500 = one and a half cores); 0 for none
 * @param timeout wall-clock limit, after which every process of the job gets SIGTERM; zero for none
 * @param killGrace how long after SIGTERM the job's pid 1 gets SIGKILL, ending its whole pid namespace
 * @param outputLimitBytes how many bytes of stdout, and separately of stderr, are kept; the rest is counted and dropped
 */
public record Limits(long memoryBytes, int pids, int cpuMillis, Duration timeout, Duration killGrace,
                     long outputLimitBytes) {
    public static final long MIB = 1L << 20;
    public static final long MIN_MEMORY = 4 * MIB;
    public static final long MAX_MEMORY = 16L << 40;
    public static final int MAX_PIDS = 4_194_304;
    public static final int MAX_CPU_MILLIS = 1_024_000;
    public static final Duration MAX_TIMEOUT = Duration.ofDays(7);
    public static final Duration MAX_KILL_GRACE = Duration.ofMinutes(10);
    public static final long MAX_OUTPUT = 1L << 40;

    /** No memory, pids, CPU or time limit; two seconds of grace; 64 MiB of each output stream kept. */
    public static final Limits DEFAULT = new Limits(0, 0, 0, Duration.ZERO, Duration.ofSeconds(2), 64 * MIB);

    public Limits {
        InvalidSpecException.require(memoryBytes == 0 || memoryBytes >= MIN_MEMORY && memoryBytes <= MAX_MEMORY,
                "limits.memory", "memory limit " + memoryBytes + " bytes is outside " + MIN_MEMORY + " (4 MiB) .. "
                        + MAX_MEMORY + " (16 TiB)");
        InvalidSpecException.require(pids >= 0 && pids <= MAX_PIDS, "limits.pids",
                "pids limit " + pids + " is outside 1 .. " + MAX_PIDS);
        InvalidSpecException.require(cpuMillis >= 0 && (cpuMillis == 0 || cpuMillis >= 10) && cpuMillis <= MAX_CPU_MILLIS,
                "limits.cpus", "CPU limit " + cpuMillis / 1000.0 + " cores is outside 0.01 .. " + MAX_CPU_MILLIS / 1000);
        InvalidSpecException.require(timeout != null && !timeout.isNegative() && timeout.compareTo(MAX_TIMEOUT) <= 0,
                "limits.timeout", "timeout " + timeout + " is outside 0 (none) .. 7 days");
        InvalidSpecException.require(killGrace != null && !killGrace.isNegative()
                && killGrace.compareTo(MAX_KILL_GRACE) <= 0, "limits.killGrace",
                "kill grace " + killGrace + " is outside 0 .. 10 minutes");
        InvalidSpecException.require(outputLimitBytes >= 1 && outputLimitBytes <= MAX_OUTPUT, "limits.outputLimit",
                "output limit " + outputLimitBytes + " bytes is outside 1 .. " + MAX_OUTPUT + " (1 TiB)");
    }

    public Limits withMemoryBytes(long value) {
        return new Limits(value, pids, cpuMillis, timeout, killGrace, outputLimitBytes);
    }

    public Limits withPids(int value) {
        return new Limits(memoryBytes, value, cpuMillis, timeout, killGrace, outputLimitBytes);
    }

    public Limits withCpuMillis(int value) {
        return new Limits(memoryBytes, pids, value, timeout, killGrace, outputLimitBytes);
    }

    public Limits withTimeout(Duration value) {
        return new Limits(memoryBytes, pids, cpuMillis, value, killGrace, outputLimitBytes);
    }

    public Limits withKillGrace(Duration value) {
        return new Limits(memoryBytes, pids, cpuMillis, timeout, value, outputLimitBytes);
    }

    public Limits withOutputLimitBytes(long value) {
        return new Limits(memoryBytes, pids, cpuMillis, timeout, killGrace, value);
    }
}
