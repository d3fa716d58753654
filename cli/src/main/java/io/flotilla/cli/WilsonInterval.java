package io.flotilla.cli;

/**
 * The 95% Wilson score interval of a failure rate: honest at the rates flaky tests have, including no failures at
 * all, where the normal approximation claims a width of zero.
 */
record WilsonInterval(double low, double high) {
    private static final double Z = 1.959963984540054;

    static WilsonInterval of(long failures, long runs) {
        if (runs == 0) {
            return new WilsonInterval(0, 1);
        }
        double p = (double) failures / runs;
        double z2 = Z * Z;
        double centre = (p + z2 / (2.0 * runs)) / (1 + z2 / runs);
        double half = Z * Math.sqrt(p * (1 - p) / runs + z2 / (4.0 * runs * runs)) / (1 + z2 / runs);
        return new WilsonInterval(Math.max(0, centre - half), Math.min(1, centre + half));
    }
}
