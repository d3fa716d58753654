package io.flotilla.http;

import com.typesafe.config.Config;
import io.flotilla.protocol.job.LimitPolicy;
import io.flotilla.protocol.job.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The API's knobs, from {@code flotilla.http} and {@code flotilla.limits} in the configuration.
 *
 * @param maxBlobBytes the largest blob one upload may carry
 * @param maxRequestBytes the largest other request body
 * @param tokensFile where the bearer tokens are; empty to serve only clients on this machine
 * @param schedulerTimeout how long a request waits for the scheduler before it is answered 503
 * @param limits the limits a submitted job gets when it asks for none, and the most it may ask for
 */
public record HttpSettings(int port, long maxBlobBytes, long maxRequestBytes, Optional<Path> tokensFile,
                           Duration schedulerTimeout, LimitPolicy limits) {
    public static HttpSettings from(Config config) {
        Config http = config.getConfig("flotilla.http");
        String tokens = http.getString("tokens-file");
        return new HttpSettings(http.getInt("port"), http.getBytes("max-blob-size"),
                http.getBytes("max-request-size"), tokens.isBlank() ? Optional.empty() : Optional.of(Path.of(tokens)),
                http.getDuration("scheduler-timeout"), limits(config.getConfig("flotilla.limits")));
    }

    private static LimitPolicy limits(Config limits) {
        Config given = limits.getConfig("default");
        Config max = limits.getConfig("max");
        Limits defaults = Limits.DEFAULT.withMemoryBytes(given.getBytes("memory")).withPids(given.getInt("pids"))
                .withTimeout(given.getDuration("timeout")).withOutputLimitBytes(given.getBytes("output-limit"));
        return new LimitPolicy(defaults, max.getBytes("memory"), max.getInt("pids"), max.getDuration("timeout"),
                max.getBytes("output-limit"));
    }
}
