package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Layer;
import io.flotilla.sandbox.MountPlan.Kind;
import io.flotilla.sandbox.MountPlan.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount plan a job gets: the host base, the sandbox's own mounts, then the layers in order. */
class MountPlanTest {
    @TempDir
    Path temp;
    private Path hostRoot;
    private HostBase base;

    @BeforeEach
    void fakeHost() throws IOException {
        hostRoot = Files.createDirectories(temp.resolve("host"));
        Files.createDirectories(hostRoot.resolve("usr/bin"));
        Files.createDirectories(hostRoot.resolve("lib64"));
        Files.createSymbolicLink(hostRoot.resolve("bin"), Path.of("usr/bin"));
        Files.createDirectories(hostRoot.resolve("etc/ssl/certs"));
        Files.writeString(hostRoot.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.writeString(hostRoot.resolve("etc/shadow"), "root:secret\n");
        Files.writeString(hostRoot.resolve("etc/ssl/certs/ca.pem"), "cert\n");
        Files.createSymbolicLink(hostRoot.resolve("etc/localtime"), Path.of("/usr/share/zoneinfo/UTC"));
        base = HostBase.prepare(hostRoot, temp.resolve("etc-copy"), 4242, 4343);
    }

    @Test
    void theBaseMirrorsTheHostsRootDirectoriesAndACuratedEtc() throws IOException {
        assertEquals(List.of(
                new Step(Kind.BIND_READ_ONLY, hostRoot.resolve("usr").toString(), "/usr"),
                new Step(Kind.SYMLINK, "usr/bin", "/bin"),
                new Step(Kind.BIND_READ_ONLY, hostRoot.resolve("lib64").toString(), "/lib64"),
                new Step(Kind.BIND_READ_ONLY, temp.resolve("etc-copy").toString(), "/etc")), base.steps());
        Path etc = temp.resolve("etc-copy");
        assertEquals("root:x:0:0::/root:/bin/sh\nflotilla:x:4242:4343:Flotilla job:/tmp/home:/bin/sh\n",
                Files.readString(etc.resolve("passwd")), "the jobs' user gets an entry when the host has none");
        assertEquals("flotilla:x:4343:\n", Files.readString(etc.resolve("group")));
        assertTrue(Files.readString(etc.resolve("hosts")).contains("127.0.1.1\tflotilla\n"));
        assertTrue(Files.readString(etc.resolve("machine-id")).matches("[0-9a-f]{32}\n"));
        assertEquals("cert\n", Files.readString(etc.resolve("ssl/certs/ca.pem")));
        assertEquals("/usr/share/zoneinfo/UTC", Files.readSymbolicLink(etc.resolve("localtime")).toString());
        assertFalse(Files.exists(etc.resolve("shadow")), "secrets never enter a container");
    }

    @Test
    void eachContainerGetsItsOwnHostsUnlessALayerCoversTheBasesEtc() throws IOException {
        ContainerSpec plain = ContainerSpec.builder("true").build();
        List<Step> mounts = MountPlan.forSpec(plain, base, digest -> null);
        String hosts = base.ownHosts("build-7", mounts).orElseThrow();
        assertTrue(hosts.endsWith("\n127.0.1.1\tbuild-7\n"), hosts);
        assertFalse(hosts.contains("flotilla"), "only its own name: " + hosts);
        Path etc = Files.createDirectories(temp.resolve("image-etc"));
        for (String dest : List.of("/etc", "/etc/hosts", "/etc/machine-id", "/etc/ssl")) {
            ContainerSpec image = ContainerSpec.builder("true").layer(new Layer.HostPath(etc.toString(), dest)).build();
            assertEquals(dest.equals("/etc/ssl"), base.ownHosts("build-7", MountPlan.forSpec(image, base,
                    digest -> null)).isPresent(), dest);
        }
    }

    @Test
    void layersComeAfterTheSandboxsOwnMountsInTheirOrder() throws IOException {
        Path layer = Files.createDirectories(temp.resolve("layer"));
        Path unpacked = Files.createDirectories(temp.resolve("unpacked"));
        Files.createDirectories(unpacked.resolve("app"));
        Files.createSymbolicLink(unpacked.resolve("run"), Path.of("app/run.sh"));
        String digest = "sha256:" + "0".repeat(64);
        ContainerSpec spec = ContainerSpec.builder("true")
                .layer(new Layer.HostPath(layer.toString(), "/data"))
                .layer(new Layer.Tar(digest, "/"))
                .layer(new Layer.Tar(digest, "/opt/tools")).build();
        List<Step> steps = MountPlan.forSpec(spec, base, Map.of(digest, unpacked)::get);
        assertEquals(List.of(
                new Step(Kind.PROC, "", "/proc"),
                new Step(Kind.DEV, "", "/dev"),
                new Step(Kind.TMPFS, "", "/tmp"),
                new Step(Kind.BIND_READ_ONLY, layer.toString(), "/data"),
                new Step(Kind.BIND_READ_ONLY, unpacked.resolve("app").toString(), "/app"),
                new Step(Kind.SYMLINK, "app/run.sh", "/run"),
                new Step(Kind.BIND_READ_ONLY, unpacked.toString(), "/opt/tools")),
                steps.subList(base.steps().size(), steps.size()));
    }

    @Test
    void aMissingLayerIsRefusedNamingItsIndex() {
        ContainerSpec spec = ContainerSpec.builder("true")
                .layer(new Layer.HostPath(temp.toString(), "/ok"))
                .layer(new Layer.HostPath(temp.resolve("missing").toString(), "/data")).build();
        InvalidSpecException e = assertThrows(InvalidSpecException.class,
                () -> MountPlan.forSpec(spec, base, digest -> null));
        assertEquals("layers[1].hostPath", e.field());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
