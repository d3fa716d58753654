package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import java.nio.file.Path;

/**
 * A JVM that opens a sandbox, starts jobs and then dies without closing it: {@link SandboxFaultsIT} runs it as a
 * separate process to show that nothing of a job outlives the JVM that started it.
 *
 * <p>Arguments: DATA_DIR MARKER JOBS (kill|exit). It prints "ready LAUNCHER_PID" once every job runs; with "exit"
 * it then calls System.exit without closing anything, with "kill" it waits to be killed.
 */
public final class SandboxHolderMain {
    private SandboxHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        Sandbox sandbox = Sandbox.open(new SandboxConfig(Path.of(args[0]), SandboxConfig.NOBODY, SandboxConfig.NOBODY));
        int jobs = Integer.parseInt(args[2]);
        for (int i = 0; i < jobs; i++) {
            SandboxJob job = sandbox.start(ContainerSpec.builder("sh", "-c", "sleep " + args[1] + " & sleep " + args[1])
                    .build());
            while (job.hostPid().isEmpty()) {
                Thread.sleep(5);
            }
        }
        System.out.println("ready " + sandbox.launcherPid().orElseThrow());
        System.out.flush();
        if (args[3].equals("exit")) {
            System.exit(0);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
