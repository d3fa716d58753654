package io.flotilla.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes room for job cgroups under this process's own cgroup in a v2 hierarchy. A v2 cgroup that holds processes
 * cannot hand controllers to its children, so when the own cgroup is not the root the node agent first moves
 * itself into a leaf ({@code flotilla-agent}), as container runtimes do.
 */
final class V2Delegation {
    private V2Delegation() {
    }

    static Set<CgroupController> enable(Path own, String name) throws IOException {
        List<String> available = List.of(Files.readString(own.resolve("cgroup.controllers")).trim().split("\\s+"));
        Set<CgroupController> controllers = EnumSet.noneOf(CgroupController.class);
        for (CgroupController controller : CgroupController.values()) {
            if (available.contains(controller.kernelName)) {
                controllers.add(controller);
            }
        }
        String enable = controllers.stream().map(c -> "+" + c.kernelName).collect(Collectors.joining(" "));
        try {
            CgroupFiles.write(own.resolve("cgroup.subtree_control"), enable);
        } catch (IOException busy) {
            Path leaf = own.resolve("flotilla-agent");
            Files.createDirectories(leaf);
            for (long pid : CgroupFiles.pids(own.resolve("cgroup.procs"))) {
                CgroupFiles.write(leaf.resolve("cgroup.procs"), Long.toString(pid));
            }
            CgroupFiles.write(own.resolve("cgroup.subtree_control"), enable);
        }
        Path base = own.resolve(name);
        Files.createDirectories(base);
        CgroupFiles.write(base.resolve("cgroup.subtree_control"), enable);
        return controllers;
    }
}
