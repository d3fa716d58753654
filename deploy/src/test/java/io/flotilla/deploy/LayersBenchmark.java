package io.flotilla.deploy;

import io.flotilla.protocol.layer.LayerTree;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code bench/run layers [FILES [KIB]]}: a directory of FILES files of KIB KiB each as a job's layer on a named
 * cluster (an embedded node reached by its URL, so the upload goes over HTTP as to any cluster): {@code flotilla run
 * --layer DIR}, which sends the directory file by file as a layer tree, against what a user would do without it,
 * {@code tar cf} and {@code flotilla run --tar}, which sends the whole archive. Each on a node of its own, in the
 * same run: first on the fresh node, then again after one file changed. The ratios are tree over tar (below 1:
 * the tree is faster). On loopback the bytes cost almost nothing, so the time ratios show the work on both ends;
 * the bytes sent after the change are what a real network pays for.
 */
public final class LayersBenchmark {
    private LayersBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int kib = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path work = Files.createTempDirectory("flotilla-layers-bench-");
        Path dir = Files.createDirectories(work.resolve("tree"));
        Random random = new Random(42);
        for (int i = 0; i < files; i++) {
            byte[] bytes = new byte[kib * 1024];
            random.nextBytes(bytes);
            Files.write(Files.createDirectories(dir.resolve("d" + i % 50)).resolve("f" + i + ".bin"), bytes);
        }
        Path tar = work.resolve("layer.tar");
        try (EmbeddedCluster treeNode = EmbeddedCluster.start(1); EmbeddedCluster tarNode = EmbeddedCluster.start(1)) {
            System.out.printf(Locale.ROOT, "a directory of %,d files of %d KiB (%,d MiB)%n", files, kib,
                    (long) files * kib / 1024);
            Path warmUp = Files.createDirectories(work.resolve("warm-up"));
            Files.writeString(warmUp.resolve("a.txt"), "warm\n");
            run(treeNode, List.of("--layer", warmUp + ":/data"), null, null); // the client's code warms up, not the tree's
            run(tarNode, List.of("--tar", work.resolve("warm-up.tar") + ":/data"), warmUp, work.resolve("warm-up.tar"));
            double treeFirst = run(treeNode, List.of("--layer", dir + ":/data"), null, null);
            double tarFirst = run(tarNode, List.of("--tar", tar + ":/data"), dir, tar);
            Files.writeString(dir.resolve("d7/f7.bin"), "changed\n");
            double treeChanged = run(treeNode, List.of("--layer", dir + ":/data"), null, null);
            double tarChanged = run(tarNode, List.of("--tar", tar + ":/data"), dir, tar);
            System.out.printf(Locale.ROOT, "first run:        tree %.2f s, tar %.2f s%n", treeFirst, tarFirst);
            System.out.printf(Locale.ROOT, "one file changed: tree %.2f s, tar %.2f s%n", treeChanged, tarChanged);
            long treeSent = 8 + LayerTree.of(dir).toBytes().length; // the changed file, and the tree naming it
            System.out.printf(Locale.ROOT, "bytes sent after the change: tree %,d, tar %,d%n", treeSent,
                    Files.size(tar));
            System.out.printf(Locale.ROOT, "RESULT layer_first_tree_vs_tar %.2f%n", treeFirst / tarFirst);
            System.out.printf(Locale.ROOT, "RESULT layer_changed_tree_vs_tar %.2f%n", treeChanged / tarChanged);
            System.out.printf(Locale.ROOT, "RESULT layer_changed_bytes_tree_vs_tar %.5f%n",
                    (double) treeSent / Files.size(tar));
        } finally {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
        }
    }

    /** Seconds for one job with the layer, from a command line's start, packing {@code tree} into {@code tar} first. */
    private static double run(EmbeddedCluster cluster, List<String> layer, Path tree, Path tar)
            throws Exception {
        long start = System.nanoTime();
        if (tree != null) {
            Process pack = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", tree.toString(), ".").inheritIO()
                    .start();
            if (pack.waitFor() != 0) {
                throw new IllegalStateException("tar failed");
            }
        }
        List<String> command = new ArrayList<>(List.of("run", "--cluster", cluster.url()));
        command.addAll(layer);
        command.addAll(List.of("--", "true"));
        StringWriter err = new StringWriter();
        int status = Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
                .execute(command.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("the job failed: " + err);
        }
        err.toString().lines().filter(line -> line.contains("uploading")).forEach(System.out::println);
        return (System.nanoTime() - start) / 1e9;
    }
}
