package io.flotilla.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.run.JobAttempt;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputStoreTest {
    @TempDir
    Path dir;

    private static ByteArrayInputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKeptOutputIsFoundByItsAttemptAndByTheNameThisNodeGaveOut() throws Exception {
        OutputStore store = new OutputStore(dir.resolve("a"));
        JobAttempt attempt = new JobAttempt("run-1", 7, 2);
        store.keepCopy(attempt, bytes("out\n"), bytes("err\n"));
        AttemptOutput kept = store.find(attempt).orElseThrow();
        assertEquals("out\n", new String(kept.read(AttemptOutput.Stream.STDOUT, 0, 100), StandardCharsets.UTF_8));
        assertEquals("err\n", new String(kept.read(AttemptOutput.Stream.STDERR, 0, 100), StandardCharsets.UTF_8));
        assertTrue(kept.name().matches("7\\.2\\.[0-9a-f]{32}"), kept.name());
        assertEquals(Optional.of(attempt), store.byName("run-1", kept.name()).map(AttemptOutput::attempt));
        assertEquals(Optional.empty(), store.find(new JobAttempt("run-1", 7, 1)));

        OutputStore reopened = new OutputStore(dir.resolve("a")); // after a restart, the same names still read
        assertEquals(kept.name(), reopened.find(attempt).orElseThrow().name());
    }

    @Test
    void aNameThisNodeDidNotGiveOutReadsNothing() throws Exception {
        OutputStore store = new OutputStore(dir.resolve("a"));
        OutputStore other = new OutputStore(dir.resolve("b"));
        JobAttempt attempt = new JobAttempt("run-1", 0, 1);
        store.keepCopy(attempt, bytes("secret output\n"), bytes(""));
        other.keepCopy(attempt, bytes("its own copy\n"), bytes(""));
        String othersName = other.find(attempt).orElseThrow().name();
        assertTrue(!othersName.equals(store.find(attempt).orElseThrow().name()), "each node keys its own names");
        assertEquals(Optional.empty(), store.byName("run-1", othersName));
        assertEquals(Optional.empty(), store.byName("run-1", "0.1." + "0".repeat(32)));
        assertEquals(Optional.empty(), store.byName("run-1", "0.1"));
    }

    @Test
    void noRunIdLeavesTheStore() throws Exception {
        OutputStore store = new OutputStore(dir.resolve("a"));
        store.keepCopy(new JobAttempt("..", 0, 1), bytes("x"), bytes(""));
        assertTrue(Files.isRegularFile(dir.resolve("a/run-../0.1.stdout")));
        assertTrue(!Files.exists(dir.resolve("0.1.stdout")), "nothing landed above the store");
    }
}
