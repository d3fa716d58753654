package io.flotilla.protocol.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What network a job sees. Isolation is the default, because a test that reaches the network is not reproducible. */
public enum NetworkMode {
    /** Its own network namespace with no interface up: every connection fails, even to 127.0.0.1. */
    NONE,
    /** Its own network namespace with only loopback up: servers the job starts are reachable from inside it. */
    LOOPBACK,
    /** The host's network. */
    HOST;

    /** Parses {@code none}, {@code loopback} or {@code host}, naming the choices when the text is none of them. */
    public static NetworkMode parse(String text) {
        for (NetworkMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        String choices = Arrays.stream(values()).map(m -> m.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        throw new InvalidSpecException("network", "unknown network mode '" + text + "'; expected one of " + choices);
    }
}
