package io.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;

/**
 * Shows a run's progress while it runs: on a terminal one line redrawn in place (a bar, done of total, failures,
 * running, time left); otherwise a plain line whenever the count of finished jobs has moved, at most every two
 * seconds, so logs of CI jobs stay readable.
 */
final class ProgressView {
    private static final int BAR = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final long startedAt = System.nanoTime();
    private long lastLineAt;
    private int lastDone = -1;

    ProgressView(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    void show(JsonNode run) {
        int total = run.get("total").asInt();
        int done = run.get("passed").asInt() + run.get("failed").asInt() + run.get("cancelled").asInt();
        String counts = done + "/" + total + " done, " + run.get("failed").asInt() + " failed, "
                + run.get("running").asInt() + " running" + eta(done, total);
        if (terminal) {
            int filled = total == 0 ? BAR : (int) ((long) BAR * done / total);
            err.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + counts + "   ");
            err.flush();
        } else if (done != lastDone && System.nanoTime() - lastLineAt > 2_000_000_000L) {
            err.println(counts);
            err.flush();
            lastLineAt = System.nanoTime();
            lastDone = done;
        }
    }

    /** Ends the progress display, leaving the cursor on a fresh line. */
    void finish(JsonNode run) {
        if (terminal) {
            show(run);
            err.println();
            err.flush();
        }
    }

    private String eta(int done, int total) {
        double elapsed = (System.nanoTime() - startedAt) / 1e9;
        if (done == 0 || done == total || elapsed < 1) {
            return "";
        }
        long seconds = Math.round(elapsed / done * (total - done));
        return String.format(", about %d:%02d left", seconds / 60, seconds % 60);
    }
}
