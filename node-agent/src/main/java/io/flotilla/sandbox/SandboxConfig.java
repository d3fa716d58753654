package io.flotilla.sandbox;

import java.nio.file.Path;

/**
 * Where a sandbox keeps its state, and which unprivileged host user its jobs run as.
 *
 * @param dataDir holds the layer cache (kept across runs) and, per open sandbox, the launcher's state and the jobs'
 *                output (removed when the sandbox closes)
 * @param jobUid the host uid every job runs as; never 0
 * @param jobGid the host gid every job runs as; never 0
 */
public record SandboxConfig(Path dataDir, int jobUid, int jobGid) {
    /** The conventional "nobody" user and group. */
    public static final int NOBODY = 65534;

    public SandboxConfig {
        if (jobUid <= 0 || jobGid <= 0) {
            throw new IllegalArgumentException("jobs must run as an unprivileged uid and gid, not " + jobUid + ":"
                    + jobGid);
        }
        dataDir = dataDir.toAbsolutePath();
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
