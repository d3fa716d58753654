package io.flotilla.cli;

import io.flotilla.protocol.layer.LayerTree;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Packs a directory into a tar whose bytes depend only on the tree: entries in sorted order, every mtime 0, every
 * owner 0:0, modes reduced to 0755 for directories and executables and 0644 for other files. The same tree gives
 * the same archive, so the same digest, on every machine and every checkout, and the cluster stores it once.
 */
final class DeterministicTar {
    private DeterministicTar() {
    }

    /** Writes the archive of {@code dir}'s contents (not {@code dir} itself) to {@code out}. */
    static void write(Path dir, OutputStream out) throws IOException {
        LayerTree.of(dir).writeTar(out, LayerTree.filesUnder(dir));
    }
}
