package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bench/run sandbox}: the cost of one {@code /bin/true} job, with a fixed number in flight, through the
 * sandbox with full isolation, through a plain {@link ProcessBuilder}, and through {@code bwrap} when it is
 * installed. The three take turns in rounds, so that drift in a noisy machine's speed hits them alike. It prints
 * figures and never fails on speed.
 *
 * <p>Arguments: [JOBS [IN_FLIGHT [ROUNDS]]], default 2000 2 4.
 */
public final class SandboxBenchmark {
    private interface Runner {
        void runOne() throws Exception;
    }

    private SandboxBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path dataDir = Files.createTempDirectory("flotilla-bench-");
        try (Sandbox sandbox = Sandbox.open(new SandboxConfig(dataDir, SandboxConfig.NOBODY, SandboxConfig.NOBODY))) {
            ContainerSpec spec = ContainerSpec.builder("/bin/true").build();
            Runner sandboxed = () -> {
                SandboxJob job = sandbox.start(spec);
                if (!job.result().join().succeeded()) {
                    throw new IllegalStateException("sandboxed /bin/true failed: " + job.result().join());
                }
                job.output().delete();
            };
            Runner plain = () -> run(List.of("/bin/true"));
            Runner bwrap = bwrapInstalled() ? () -> run(bwrapCommand()) : null;

            ExecutorService pool = Executors.newFixedThreadPool(inFlight);
            int warmUp = Math.max(jobs / 10, inFlight);
            measure(pool, sandboxed, warmUp, inFlight);
            measure(pool, plain, warmUp, inFlight);
            if (bwrap != null) {
                measure(pool, bwrap, warmUp, inFlight);
            }
            long[] nanos = new long[3];
            int perRound = jobs / rounds;
            for (int round = 0; round < rounds; round++) {
                nanos[0] += measure(pool, sandboxed, perRound, inFlight);
                nanos[1] += measure(pool, plain, perRound, inFlight);
                if (bwrap != null) {
                    nanos[2] += measure(pool, bwrap, perRound, inFlight);
                }
            }
            pool.shutdown();
            int total = perRound * rounds;
            double sandboxMs = nanos[0] / 1e6 / total;
            double plainMs = nanos[1] / 1e6 / total;
            System.out.printf(Locale.ROOT, "jobs: %d of /bin/true per way, %d in flight, %d rounds%n", total, inFlight,
                    rounds);
            System.out.printf(Locale.ROOT, "sandbox, full isolation:  %.3f ms per job%n", sandboxMs);
            System.out.printf(Locale.ROOT, "plain ProcessBuilder:     %.3f ms per job%n", plainMs);
            if (bwrap != null) {
                double bwrapMs = nanos[2] / 1e6 / total;
                System.out.printf(Locale.ROOT, "bwrap per job:            %.3f ms per job%n", bwrapMs);
                System.out.printf(Locale.ROOT, "RESULT bwrap_vs_sandbox_ratio %.2f%n", bwrapMs / sandboxMs);
            } else {
                System.out.println("bwrap per job:            not installed");
            }
            System.out.printf(Locale.ROOT, "RESULT sandbox_vs_plain_ratio %.2f%n", sandboxMs / plainMs);
        } finally {
            LayerCache.deleteTree(dataDir);
        }
    }

    /** Runs {@code jobs} jobs on {@code inFlight} threads that each wait for one job at a time; returns the wall time. */
    private static long measure(ExecutorService pool, Runner runner, int jobs, int inFlight) throws Exception {
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < inFlight; w++) {
            int share = jobs / inFlight + (w < jobs % inFlight ? 1 : 0);
            workers.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) {
                    runner.runOne();
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        return System.nanoTime() - start;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        int status = new ProcessBuilder(command).start().waitFor();
        if (status != 0) {
            throw new IllegalStateException(command + " exited " + status);
        }
    }

    private static boolean bwrapInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/bwrap"));
    }

    /** The same isolation as the sandbox's default: every namespace, a read-only base, fresh /proc, /dev, /tmp. */
    private static List<String> bwrapCommand() {
        List<String> command = new ArrayList<>(List.of("/usr/bin/bwrap", "--unshare-all", "--die-with-parent",
                "--new-session", "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--proc", "/proc",
                "--dev", "/dev", "--tmpfs", "/tmp"));
        for (String dir : List.of("bin", "lib", "lib64", "sbin")) {
            Path path = Path.of("/", dir);
            if (Files.isSymbolicLink(path)) {
                command.addAll(List.of("--symlink", "usr/" + dir, "/" + dir));
            } else if (Files.isDirectory(path)) {
                command.addAll(List.of("--ro-bind", "/" + dir, "/" + dir));
            }
        }
        command.add("/bin/true");
        return command;
    }
}
