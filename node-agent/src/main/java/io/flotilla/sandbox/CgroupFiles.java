package io.flotilla.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Small helpers for cgroup control files, shared by both cgroup versions. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    /** The number after {@code key} in a flat-keyed file such as memory.events, or 0 when the key is absent. */
    static long keyed(Path file, String key) throws IOException {
        for (String line : Files.readString(file).split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals(key)) {
                return Long.parseLong(parts[1]);
            }
        }
        return 0;
    }

    static List<Long> pids(Path procsFile) throws IOException {
        try {
            return Files.readAllLines(procsFile).stream().filter(line -> !line.isBlank()).map(Long::parseLong).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    static void killAll(Path procsFile) throws IOException {
        for (long pid : pids(procsFile)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /** Removes a cgroup directory. Its control files cannot be deleted, and need not be: rmdir takes them along. */
    static void removeDir(Path dir) throws IOException {
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            throw new IOException("cgroup " + dir + " still has child cgroups", e);
        }
    }
}
