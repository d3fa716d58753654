package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment a job's program starts with: the spec's own, plus the two variables that programs expect of any
 * login and that a clean environment would lack. {@code HOME} is a directory of the job's own /tmp (the container's
 * init creates it), so tools that keep caches or configuration there (pip, git, Maven, Gradle) can write; {@code
 * TMPDIR} is /tmp. A spec that sets either keeps its own value.
 */
final class JobEnvironment {
    static final String HOME = "/tmp/home";

    private JobEnvironment() {
    }

    static Map<String, String> of(ContainerSpec spec) {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        env.putIfAbsent("HOME", HOME);
        env.putIfAbsent("TMPDIR", "/tmp");
        return env;
    }
}
