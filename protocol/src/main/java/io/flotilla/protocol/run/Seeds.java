package io.flotilla.protocol.run;

/**
 * Seeds for the copies of a batch, a repeat or a suite's tests: SplitMix64 of the run's seed plus the copy's index.
 * Neighbouring indexes get unrelated seeds, and the same run seed always gives the same seeds, so any copy can be
 * rerun exactly.
 */
public final class Seeds {
    private Seeds() {
    }

    public static long of(long runSeed, int index) {
        long z = runSeed + (index + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A run's seed when it names none: derived from its id, so that the same run id gives the same seeds. */
    public static long ofRunId(String runId) {
        long hash = 1125899906842597L;
        for (int i = 0; i < runId.length(); i++) {
            hash = 31 * hash + runId.charAt(i);
        }
        return of(hash, 0);
    }
}
