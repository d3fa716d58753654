package io.flotilla.sandbox;

import java.nio.file.Path;

/**
 * Where a sandbox keeps its state, which unprivileged host user its jobs run as, and how much memory a job may fill
 * through the tmpfs mounts it can write.
 *
 * @param dataDir holds the layer cache (kept across runs) and, per open sandbox, the launcher's state and the jobs'
 *                output (removed when the sandbox closes)
 * @param jobUid the host uid every job runs as; never 0
 * @param jobGid the host gid every job runs as; never 0
 * @param tmpfsBytes the cap of each tmpfs a job can write: {@code /tmp}, {@code /dev/shm}, and a writable job's
 *                   root and overlay uppers (together); a job that fills one gets "No space left on device"
 * @param layerLimits how large a tar layer may unpack on this node
 */
public record SandboxConfig(Path dataDir, int jobUid, int jobGid, long tmpfsBytes, LayerLimits layerLimits) {
    /** The conventional "nobody" user and group. */
    public static final int NOBODY = 65534;
    /** The tmpfs cap when none is configured. */
    public static final long DEFAULT_TMPFS_BYTES = 1L << 30;
    /** The smallest tmpfs cap: a few pages. */
    public static final long MIN_TMPFS_BYTES = 64 * 1024;

    public SandboxConfig {
        if (jobUid <= 0 || jobGid <= 0) {
            throw new IllegalArgumentException("jobs must run as an unprivileged uid and gid, not " + jobUid + ":"
                    + jobGid);
        }
        if (tmpfsBytes < MIN_TMPFS_BYTES) {
            throw new IllegalArgumentException("the tmpfs cap must be at least 64 KiB, not " + tmpfsBytes + " bytes");
        }
        dataDir = dataDir.toAbsolutePath();
    }

    /** The default tmpfs cap and layer limits. */
    public SandboxConfig(Path dataDir, int jobUid, int jobGid) {
        this(dataDir, jobUid, jobGid, DEFAULT_TMPFS_BYTES, LayerLimits.DEFAULT);
    }

    /** {@code $FLOTILLA_DATA_DIR}, else {@code $XDG_CACHE_HOME/flotilla}, else {@code ~/.cache/flotilla}; jobs run as nobody. */
    public static SandboxConfig defaults() {
        String explicit = System.getenv("FLOTILLA_DATA_DIR");
        String cache = System.getenv("XDG_CACHE_HOME");
        Path dataDir = explicit != null && !explicit.isBlank() ? Path.of(explicit)
                : Path.of(cache != null && !cache.isBlank() ? cache : System.getProperty("user.home") + "/.cache",
                        "flotilla");
        return new SandboxConfig(dataDir, NOBODY, NOBODY);
    }
}
