package io.flotilla.http;

/**
 * Seeds for the copies of a batch: SplitMix64 of the run's seed plus the copy's index. Neighbouring indexes get
 * unrelated seeds, and the same run seed always gives the same seeds, so any copy can be rerun exactly.
 */
final class Seeds {
    private Seeds() {
    }

    static long of(long runSeed, int index) {
        long z = runSeed + (index + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
