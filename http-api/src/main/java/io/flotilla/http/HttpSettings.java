package io.flotilla.http;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The API's knobs, from {@code flotilla.http} in the configuration.
 *
 * @param maxBlobBytes the largest blob one upload may carry
 * @param maxRequestBytes the largest other request body
 * @param tokensFile where the bearer tokens are; empty to serve only clients on this machine
 * @param schedulerTimeout how long a request waits for the scheduler before it is answered 503
 */
public record HttpSettings(int port, long maxBlobBytes, long maxRequestBytes, Optional<Path> tokensFile,
                           Duration schedulerTimeout) {
    public static HttpSettings from(Config config) {
        Config http = config.getConfig("flotilla.http");
        String tokens = http.getString("tokens-file");
        return new HttpSettings(http.getInt("port"), http.getBytes("max-blob-size"),
                http.getBytes("max-request-size"), tokens.isBlank() ? Optional.empty() : Optional.of(Path.of(tokens)),
                http.getDuration("scheduler-timeout"));
    }
}
