package io.flotilla.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One line of /proc/self/mountinfo: enough of it to find where a cgroup hierarchy is mounted. */
record MountInfo(String root, Path mountPoint, String fsType, List<String> superOptions) {

    static List<MountInfo> read(Path file) throws IOException {
        List<MountInfo> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length < 5 || dash < 0 || dash + 3 >= fields.length) {
                continue;
            }
            mounts.add(new MountInfo(fields[3], Path.of(fields[4]), fields[dash + 1],
                    List.of(fields[dash + 3].split(","))));
        }
        return mounts;
    }

    /** The directory of a cgroup path (as /proc/self/cgroup names it) under this mount. */
    Path resolve(String cgroupPath) {
        String relative = cgroupPath.startsWith(root) ? cgroupPath.substring(root.length()) : cgroupPath;
        return relative.isEmpty() || relative.equals("/") ? mountPoint : mountPoint.resolve(relative.substring(
                relative.startsWith("/") ? 1 : 0));
    }
}
