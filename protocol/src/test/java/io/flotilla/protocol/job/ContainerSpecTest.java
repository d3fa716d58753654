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
    void refusesWhatTheKernelWouldNotExecuteWithTheLimitInTheMessage() {
        List<String> million = java.util.Collections.nCopies(1_000_000, "x");
        InvalidSpecException args = assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.builder(million).build());
        assertEquals("command", args.field());
        assertEquals("the command has 1000000 arguments; a job may have at most 4096", args.getMessage());

        ContainerSpec.Builder manyVariables = ContainerSpec.builder("true");
        for (int i = 0; i < 100_000; i++) {
            manyVariables.env("V" + i, "1");
        }
        InvalidSpecException env = assertThrows(InvalidSpecException.class, manyVariables::build);
        assertEquals("env", env.field());
        assertEquals("the environment has 100001 variables; a job may have at most 4096", env.getMessage());

        InvalidSpecException long1 = assertThrows(InvalidSpecException.class,
                () -> ContainerSpec.builder("echo", "\u00e9".repeat(70_000)).build());
        assertEquals("command argument 1 is 140000 bytes; the kernel takes at most 131071 bytes in one",
                long1.getMessage());

        List<String> big = java.util.Collections.nCopies(40, "y".repeat(30_000));
        InvalidSpecException total = assertThrows(InvalidSpecException.class, () -> ContainerSpec.builder(big).build());
        assertEquals("the command and environment come to 1200106 bytes; a job may have at most 1048576 (1 MiB) of "
                + "them", total.getMessage());

        List<String> fits = java.util.Collections.nCopies(4096, "z".repeat(200));
        assertEquals(4096, ContainerSpec.builder(fits).build().command().size());
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
