package io.flotilla.protocol.job;

/**
 * Limits as people write them, on a command line or in a JSON request: sizes like {@code 512m}, durations like
 * {@code 30s}, cores like {@code 0.5}. Each is optional; what is absent keeps the default's value. The
 * command line and the REST API read limits through this one class, so they accept and refuse the same things.
 */
public record LimitOptions(String memory, Integer pids, Double cpus, String timeout, String killGrace,
                           String outputLimit) {
    /** The limits these options describe; each bad option is refused naming its field under {@code limits.}. */
    public Limits toLimits() {
        return toLimits(Limits.DEFAULT);
    }

    /** The same, over {@code base} instead of {@link Limits#DEFAULT}: what is absent keeps base's value. */
    public Limits toLimits(Limits base) {
        Limits limits = base;
        if (memory != null) {
            long bytes = Quantities.parseBytes(memory, "limits.memory");
            InvalidSpecException.require(bytes > 0, "limits.memory", "memory must be more than 0, got " + memory);
            limits = limits.withMemoryBytes(bytes);
        }
        if (pids != null) {
            InvalidSpecException.require(pids > 0, "limits.pids", "pids must be at least 1, got " + pids);
            limits = limits.withPids(pids);
        }
        if (cpus != null) {
            InvalidSpecException.require(cpus > 0 && cpus <= Limits.MAX_CPU_MILLIS / 1000.0, "limits.cpus",
                    "cpus " + cpus + " is outside 0.01 .. " + Limits.MAX_CPU_MILLIS / 1000);
            limits = limits.withCpuMillis((int) Math.round(cpus * 1000));
        }
        if (timeout != null) {
            limits = limits.withTimeout(Quantities.parseDuration(timeout, "limits.timeout"));
        }
        if (killGrace != null) {
            limits = limits.withKillGrace(Quantities.parseDuration(killGrace, "limits.killGrace"));
        }
        if (outputLimit != null) {
            limits = limits.withOutputLimitBytes(Quantities.parseBytes(outputLimit, "limits.outputLimit"));
        }
        return limits;
    }
}
