package io.flotilla.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.JobResult.Outcome;
import io.flotilla.protocol.job.Layer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Acceptance 6: bad input gets a clear error naming the problem, and the sandbox keeps working after each. */
class SandboxBadInputIT {
    @RegisterExtension
    static final TestSandbox box = TestSandbox.perClass();

    @AfterEach
    void theSandboxStillWorks() throws Exception {
        assertEquals("ok\n", box.sh("echo ok").stdout());
    }

    @Test
    void aProgramThatDoesNotExistIsALaunchErrorNamingIt() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("no-such-program", "--flag").build());
        assertEquals(Outcome.LAUNCH_ERROR, ran.result().outcome(), ran.toString());
        assertEquals("program not found: no-such-program: No such file or directory", ran.result().message());
    }

    @Test
    void aProgramThatIsNotExecutableIsALaunchError() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("/etc/passwd").build());
        assertEquals(Outcome.LAUNCH_ERROR, ran.result().outcome(), ran.toString());
        assertEquals("cannot execute /etc/passwd: Permission denied", ran.result().message());
    }

    @Test
    void aMissingWorkingDirectoryIsALaunchErrorNamingIt() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("true").workdir("/no/such/dir").build());
        assertEquals(Outcome.LAUNCH_ERROR, ran.result().outcome(), ran.toString());
        assertEquals("working directory /no/such/dir: No such file or directory", ran.result().message());
    }

    @Test
    void aMissingStdinFileIsALaunchErrorNamingIt() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("cat").stdinFile("/no/such/input").build());
        assertEquals(Outcome.LAUNCH_ERROR, ran.result().outcome(), ran.toString());
        assertEquals("cannot open stdin file /no/such/input: No such file or directory", ran.result().message());
    }

    @Test
    void aMissingHostLayerIsRefusedBeforeTheJobStarts() {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> box.sandbox.start(
                ContainerSpec.builder("true").layer(new Layer.HostPath("/no/such/layer", "/data")).build()));
        assertEquals("layers[0].hostPath", e.field());
        assertEquals("layer host path /no/such/layer does not exist", e.getMessage());
    }

    @Test
    void aTarLayerThisNodeDoesNotHaveIsRefusedByDigest() {
        String digest = "sha256:" + "ab".repeat(32);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> box.sandbox.start(
                ContainerSpec.builder("true").layer(new Layer.Tar(digest, "/data")).build()));
        assertEquals("layers[0].digest", e.field());
        assertEquals("layer " + digest + " is not in this node's layer cache", e.getMessage());
    }

    @Test
    void aLayerMountPointUnderAReadOnlyBaseDirectoryIsALaunchErrorNamingIt() throws Exception {
        TestSandbox.Ran ran = box.run(ContainerSpec.builder("true")
                .layer(new Layer.HostPath("/etc", "/usr/no-such-dir/etc")).build());
        assertEquals(Outcome.LAUNCH_ERROR, ran.result().outcome(), ran.toString());
        assertTrue(ran.result().message().startsWith("cannot create mount point"), ran.result().message());
        assertTrue(ran.result().message().contains("/usr/no-such-dir/etc"), ran.result().message());
    }
}
