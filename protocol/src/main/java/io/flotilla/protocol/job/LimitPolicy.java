package io.flotilla.protocol.job;

import static io.flotilla.protocol.job.Quantities.describeBytes;
import static io.flotilla.protocol.job.Quantities.describeDuration;

import java.time.Duration;

/**
 * What an operator allows a submitted job: the limits it gets when it asks for none, and the most it may ask for,
 * so that one submitter cannot take a shared node's memory, processes, time or disk. A maximum of zero means there
 * is none. A job that asks for nothing gets the default, or the maximum when the default is none; one that asks for
 * more than the maximum, or for no limit where there is a maximum, is refused naming the limit and the maximum.
 *
 * @param defaults what a job that asks for nothing gets (its kill grace and CPU share too)
 */
public record LimitPolicy(Limits defaults, long maxMemoryBytes, int maxPids, Duration maxTimeout,
                          long maxOutputBytes) {
    /** No maxima, and {@link Limits#DEFAULT}. */
    public static final LimitPolicy NONE = new LimitPolicy(Limits.DEFAULT, 0, 0, Duration.ZERO, 0);

    public LimitPolicy {
        InvalidSpecException.require(defaults != null && maxMemoryBytes >= 0 && maxPids >= 0 && maxTimeout != null
                && !maxTimeout.isNegative() && maxOutputBytes >= 0, "limits", "limit maxima cannot be negative");
    }

    /** The limits a job gets for what it asked; refused, naming the field, when it asks for more than allowed. */
    public Limits apply(LimitOptions asked) {
        Limits limits = asked.toLimits(defaults);
        if (maxMemoryBytes > 0) {
            limits = limits.memoryBytes() == 0 ? limits.withMemoryBytes(maxMemoryBytes) : limits;
            within(limits.memoryBytes() <= maxMemoryBytes, "limits.memory", describeBytes(limits.memoryBytes())
                    + " of memory", describeBytes(maxMemoryBytes), "memory");
        }
        if (maxPids > 0) {
            limits = limits.pids() == 0 ? limits.withPids(maxPids) : limits;
            within(limits.pids() <= maxPids, "limits.pids", limits.pids() + " processes", maxPids + " processes",
                    "pids");
        }
        if (!maxTimeout.isZero()) {
            boolean none = limits.timeout().isZero();
            within(!(none && asked.timeout() != null), "limits.timeout", "no timeout", describeDuration(maxTimeout),
                    "timeout");
            limits = none ? limits.withTimeout(maxTimeout) : limits;
            within(limits.timeout().compareTo(maxTimeout) <= 0, "limits.timeout", "a timeout of "
                    + describeDuration(limits.timeout()), describeDuration(maxTimeout), "timeout");
        }
        if (maxOutputBytes > 0) {
            within(limits.outputLimitBytes() <= maxOutputBytes, "limits.outputLimit", "keeping "
                    + describeBytes(limits.outputLimitBytes()) + " of output", describeBytes(maxOutputBytes),
                    "output-limit");
        }
        return limits;
    }

    private static void within(boolean ok, String field, String asked, String maximum, String key) {
        InvalidSpecException.require(ok, field, asked + " is more than this cluster allows a job: at most " + maximum
                + " (flotilla.limits.max." + key + ")");
    }
}
