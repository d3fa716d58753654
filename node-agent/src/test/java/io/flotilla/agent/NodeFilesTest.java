package io.flotilla.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.sandbox.BlobStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's stores on a real disk: swept to their age and budget, and refusing an upload the disk has no room for. */
class NodeFilesTest {
    @TempDir
    Path dir;

    private NodeFiles files(long outputBudget, long minFree) throws Exception {
        return new NodeFiles(new BlobStore(dir.resolve("blobs")), new OutputStore(dir.resolve("outputs")),
                new StorageSettings(Duration.ofDays(7), outputBudget, Duration.ofDays(30), 1L << 30, minFree,
                        Duration.ofMinutes(1)), dir);
    }

    private static ByteArrayInputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void age(Path path, Duration by) throws Exception {
        try (Stream<Path> all = Files.walk(path)) {
            for (Path each : all.toList()) {
                Files.setLastModifiedTime(each, FileTime.from(Instant.now().minus(by)));
            }
        }
    }

    @Test
    void keptOutputPastItsAgeOrOverItsBudgetIsSweptOldestRunFirst() throws Exception {
        NodeFiles files = files(500, 0);
        for (String run : new String[] {"ancient", "old", "new"}) {
            files.outputs().keepCopy(new JobAttempt(run, 0, 1), bytes("x".repeat(400)), bytes(""));
        }
        age(dir.resolve("outputs/run-ancient"), Duration.ofDays(8));
        age(dir.resolve("outputs/run-old"), Duration.ofDays(2));

        assertEquals(2, files.sweep(Instant.now()).size(), "the ancient one by age, the old one by budget");
        assertTrue(files.output(new JobAttempt("new", 0, 1)).isPresent());
        assertFalse(files.output(new JobAttempt("old", 0, 1)).isPresent());
        assertFalse(files.output(new JobAttempt("ancient", 0, 1)).isPresent());
        assertEquals(0, files.sweep(Instant.now()).size(), "what is left fits");
    }

    @Test
    void aBlobUploadThatWouldEatIntoTheFreeSpaceIsRefusedAndKeepsNothing() throws Exception {
        byte[] layer = "layer bytes".getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layer));
        NodeFiles full = files(1000, Long.MAX_VALUE);
        DiskFullException refused = assertThrows(DiskFullException.class,
                () -> full.putBlob(new ByteArrayInputStream(layer), digest));
        assertTrue(refused.getMessage().endsWith("free (flotilla.storage.min-free)"), refused.getMessage());
        assertFalse(full.blob(digest).isPresent());

        NodeFiles roomy = files(1000, 0);
        assertTrue(roomy.putBlob(new ByteArrayInputStream(layer), digest).created());
        assertFalse(roomy.putBlob(new ByteArrayInputStream(layer), digest).created(), "the second time it was there");
        assertEquals(layer.length, roomy.blob(digest).orElseThrow().size());
    }
}
