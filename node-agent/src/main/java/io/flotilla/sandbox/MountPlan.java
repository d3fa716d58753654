package io.flotilla.sandbox;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.job.Layer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The ordered list of mounts that makes a job's root filesystem: the host base, then /proc, /dev and /tmp, then
 * the spec's layers. Java decides the plan; the launcher's child only carries it out, which keeps the policy here,
 * where it is easy to read and to test.
 */
final class MountPlan {
    /** The kinds the launcher knows, in the order of {@code enum mount_kind} in {@code launcher.h}. */
    enum Kind {
        BIND_READ_ONLY, SYMLINK, TMPFS, PROC, DEV
    }

    /** One mount: for {@link Kind#SYMLINK} the source is the link's target. */
    record Step(Kind kind, String src, String dest) {
    }

    private MountPlan() {
    }

    /**
     * @param base the host's base, shared by every job
     * @param tarLayers where the layer cache keeps an unpacked tar layer, or null when it has no such digest
     */
    static List<Step> forSpec(ContainerSpec spec, HostBase base, Function<String, Path> tarLayers) {
        List<Step> steps = new ArrayList<>(base.steps());
        steps.add(new Step(Kind.PROC, "", "/proc"));
        steps.add(new Step(Kind.DEV, "", "/dev"));
        steps.add(new Step(Kind.TMPFS, "", "/tmp"));
        for (int i = 0; i < spec.layers().size(); i++) {
            Layer layer = spec.layers().get(i);
            String field = "layers[" + i + "]";
            if (layer instanceof Layer.HostPath host) {
                InvalidSpecException.require(Files.exists(Path.of(host.hostPath())), field + ".hostPath",
                        "layer host path " + host.hostPath() + " does not exist");
                steps.add(new Step(Kind.BIND_READ_ONLY, host.hostPath(), host.dest()));
            } else if (layer instanceof Layer.Tar tar) {
                Path dir = tarLayers.apply(tar.digest());
                InvalidSpecException.require(dir != null, field + ".digest",
                        "layer " + tar.digest() + " is not in this node's layer cache");
                steps.addAll(tar.dest().equals("/") ? overRoot(dir) : List.of(
                        new Step(Kind.BIND_READ_ONLY, dir.toString(), tar.dest())));
            }
        }
        return steps;
    }

    /** A layer laid over "/": each of its top-level entries is mounted, or linked, at the same name. */
    private static List<Step> overRoot(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().map(entry -> {
                String dest = "/" + entry.getFileName();
                if (Files.isSymbolicLink(entry)) {
                    return new Step(Kind.SYMLINK, readLink(entry), dest);
                }
                return new Step(Kind.BIND_READ_ONLY, entry.toString(), dest);
            }).filter(step -> !step.dest().equals("/proc") && !step.dest().equals("/dev")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
