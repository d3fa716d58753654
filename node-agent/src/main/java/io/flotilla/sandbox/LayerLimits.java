package io.flotilla.sandbox;

/**
 * How large a tar layer may unpack: in bytes, in entries, and how many times its compressed archive may grow, so
 * that a small archive built to expand (a gzip bomb, a million empty files) cannot fill a node's disk or inode table.
 *
 * @param maxBytes the most bytes of tar stream (file contents and headers) one layer may unpack to
 * @param maxEntries the most entries (files, directories, links) in one layer
 * @param maxExpansion how many times its compressed size a layer may unpack to, once it is past 16 MiB
 */
public record LayerLimits(long maxBytes, long maxEntries, int maxExpansion) {
    /** 16 GiB, a million entries, and a hundredfold. */
    public static final LayerLimits DEFAULT = new LayerLimits(16L << 30, 1_000_000, 100);
    /** Below this, any expansion is allowed: small archives of zeros are real test data, not an attack. */
    static final long EXPANSION_FLOOR = 16L << 20;

    public LayerLimits {
        if (maxBytes < 1 || maxEntries < 1 || maxExpansion < 1) {
            throw new IllegalArgumentException("layer limits must be positive");
        }
    }
}
