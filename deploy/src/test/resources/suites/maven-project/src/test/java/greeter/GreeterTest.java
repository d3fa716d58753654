package greeter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GreeterTest {
    @Test
    void greets() {
        assertEquals("Hello, Ada!", Greeter.greet("Ada"));
    }

    @Test
    void readsItsDataFromTheProjectDirectory() throws Exception {
        String name = Files.readString(Path.of("src/test/resources/names.txt")).strip();
        assertEquals("Hello, Ada!", Greeter.greet(name));
    }

    @Test
    void getsItsJvmOptions() {
        assertEquals("on", System.getProperty("greeter.mode"));
    }

    @Test
    void failsOnPurpose() {
        assertEquals("Hello, Bob!", Greeter.greet("Ada"), "the greeting");
    }
}
