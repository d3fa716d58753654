package io.flotilla.protocol.job;

import java.util.Set;

/** Rules for paths inside a container, shared by the fields that hold them. */
final class ContainerPaths {
    /** Mount points that the sandbox owns: a layer there would hide the job's /proc or /dev. */
    private static final Set<String> RESERVED = Set.of("/", "/proc", "/dev");

    private ContainerPaths() {
    }

    static void requireAbsoluteNormal(String path, String field) {
        boolean ok = path != null && path.startsWith("/") && path.indexOf('\0') < 0;
        if (ok && !path.equals("/")) {
            for (String part : path.substring(1).split("/", -1)) {
                ok &= !part.isEmpty() && !part.equals(".") && !part.equals("..");
            }
        }
        InvalidSpecException.require(ok, field, field + " must be a normalized absolute path inside the container"
                + " (no '.', '..' or empty parts), got '" + path + "'");
    }

    static void requireMountPoint(String path, String field) {
        requireAbsoluteNormal(path, field);
        InvalidSpecException.require(!RESERVED.contains(path) && !path.startsWith("/proc/") && !path.startsWith("/dev/"),
                field, field + " cannot be " + path + ": the sandbox owns /, /proc and /dev");
    }
}
