package io.flotilla.protocol.job;

import static io.flotilla.protocol.job.LimitsTest.assertField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A spec that exists can be run: each malformed field is refused by name. */
class ContainerSpecTest {
    @Test
    void theBuilderGivesAnIsolatedDefault() {
        ContainerSpec spec = ContainerSpec.builder("true").build();
        assertEquals(List.of("true"), spec.command());
        assertEquals(Map.of("PATH", ContainerSpec.DEFAULT_PATH), spec.env());
        assertEquals(NetworkMode.NONE, spec.network());
        assertEquals("/", spec.workdir());
        assertEquals(Limits.DEFAULT, spec.limits());
    }

    @Test
    void refusesAJobWithoutAProgram() {
        assertField("command", () -> ContainerSpec.builder(List.of()).build());
        assertField("command", () -> ContainerSpec.builder("").build());
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ContainerSpec.builder().build());
        assertEquals("a job needs a program to run", e.getMessage());
    }

    @Test
    void refusesMalformedFields() {
        assertField("workdir", () -> ContainerSpec.builder("true").workdir("relative").build());
        assertField("workdir", () -> ContainerSpec.builder("true").workdir("/a/../b").build());
        assertField("env", () -> ContainerSpec.builder("true").env("NOT VALID", "x").build());
        assertField("hostname", () -> ContainerSpec.builder("true").hostname("bad_host!").build());
        assertField("stdin", () -> ContainerSpec.builder("true").stdinFile("relative.txt").build());
    }

    @Test
    void refusesLayersThatWouldHideWhatTheSandboxOwns() {
        assertField("layers.dest", () -> new Layer.HostPath("/data", "/proc"));
        assertField("layers.dest", () -> new Layer.HostPath("/data", "/dev/shm"));
        assertField("layers.dest", () -> new Layer.HostPath("/data", "/"));
        assertField("layers.dest", () -> new Layer.HostPath("/data", "data"));
        assertField("layers.hostPath", () -> new Layer.HostPath("relative", "/data"));
        assertField("layers.hostPath", () -> new Layer.HostPath("/a,b", "/data"));
        assertField("layers.digest", () -> new Layer.Tar("sha256:abc", "/data"));
        assertField("layers.digest", () -> new Layer.Tar("md5:" + "0".repeat(64), "/data"));
    }

    @Test
    void anUnknownNetworkModeNamesTheChoices() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> NetworkMode.parse("wifi"));
        assertEquals("network", e.field());
        assertEquals("unknown network mode 'wifi'; expected one of none, loopback, host", e.getMessage());
        assertEquals(NetworkMode.LOOPBACK, NetworkMode.parse("Loopback"));
    }
}
