package io.flotilla.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The default base of every job's root: the host's {@code /usr}, {@code /bin}, {@code /lib*} and {@code /sbin}
 * (as symlinks where the host has merged /usr), and a copy of the parts of {@code /etc} that programs need to
 * run. Secrets such as {@code /etc/shadow} and host-specific configuration never enter a container. So that jobs
 * behave as on a developer's machine, the copy also has a {@code passwd} and {@code group} entry for the jobs' user
 * when the host has none, the default hostname in {@code hosts}, and a {@code machine-id} (D-Bus and systemd's
 * libraries refuse to start without one). Each container then gets its own {@code machine-id} and a {@code hosts}
 * with its own hostname, bound over these by the launcher ({@link #ownHosts}); the copy's stand where a layer
 * takes their place.
 */
final class HostBase {
    private static final List<String> ROOT_DIRS = List.of("usr", "bin", "lib", "lib32", "lib64", "libx32", "sbin");

    /**
     * What of /etc a job sees: name lookup, the dynamic linker, time zones, certificates, language runtimes, and the
     * configuration that Debian's packages keep in /etc behind a symlink from /usr (matplotlib's matplotlibrc, the
     * XML and SGML catalogs), without which the library does not load.
     */
    private static final List<String> ETC_ENTRIES = List.of("passwd", "group", "nsswitch.conf", "host.conf",
            "resolv.conf", "hosts", "gai.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
            "alternatives", "ssl", "ca-certificates", "ca-certificates.conf", "os-release", "debian_version",
            "mime.types", "protocols", "services", "shells", "profile", "bash.bashrc", "environment", "login.defs",
            "inputrc", "magic", "mke2fs.conf", "perl", "python3", "fonts", "matplotlibrc", "xml", "sgml", "papersize");
    private static final List<String> ETC_PREFIXES = List.of("java-", "python3.");

    /** Mount points at which a layer brings what the container's own identity files would replace. */
    private static final List<String> OWN_FILES_COVERED_BY = List.of("/etc", "/etc/hosts", "/etc/machine-id");

    private final List<MountPlan.Step> steps;
    /** The host's {@code /etc/hosts}, to which each container's own adds its hostname. */
    private final String hosts;

    private HostBase(List<MountPlan.Step> steps, String hosts) {
        this.steps = List.copyOf(steps);
        this.hosts = hosts;
    }

    List<MountPlan.Step> steps() {
        return steps;
    }

    /**
     * The {@code /etc/hosts} of a container named {@code hostname}, which then gets a {@code machine-id} of its own
     * too; empty when a layer of its {@code mounts} brings its own {@code /etc}, or its own of either file.
     */
    Optional<String> ownHosts(String hostname, List<MountPlan.Step> mounts) {
        boolean covered = mounts.subList(steps.size(), mounts.size()).stream()
                .anyMatch(step -> OWN_FILES_COVERED_BY.contains(step.dest()));
        return covered ? Optional.empty() : Optional.of(hosts + "127.0.1.1\t" + hostname + "\n");
    }

    /**
     * Reads the host's root and copies its /etc essentials into {@code etcCopy}, which must not exist yet.
     *
     * @param uid the jobs' user, and {@code gid} their group
     */
    static HostBase prepare(Path hostRoot, Path etcCopy, int uid, int gid) throws IOException {
        List<MountPlan.Step> steps = new ArrayList<>();
        for (String name : ROOT_DIRS) {
            Path path = hostRoot.resolve(name);
            if (Files.isSymbolicLink(path)) {
                steps.add(new MountPlan.Step(MountPlan.Kind.SYMLINK, MountPlan.readLink(path), "/" + name));
            } else if (Files.isDirectory(path)) {
                steps.add(new MountPlan.Step(MountPlan.Kind.BIND_READ_ONLY, path.toString(), "/" + name));
            }
        }
        copyEtc(hostRoot.resolve("etc"), etcCopy);
        String hosts = addJobIdentity(etcCopy, uid, gid);
        steps.add(new MountPlan.Step(MountPlan.Kind.BIND_READ_ONLY, etcCopy.toString(), "/etc"));
        return new HostBase(steps, hosts);
    }

    private static void copyEtc(Path etc, Path copy) throws IOException {
        Files.createDirectories(copy);
        try (Stream<Path> entries = Files.list(etc)) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (ETC_ENTRIES.contains(name) || ETC_PREFIXES.stream().anyMatch(name::startsWith)) {
                    copyTree(entry, copy.resolve(name));
                }
            }
        }
        Files.writeString(copy.resolve("hostname"), "flotilla\n");
    }

    /** @return the host's hosts file, which the copy has with the default hostname added */
    private static String addJobIdentity(Path etc, int uid, int gid) throws IOException {
        appendUnlessListed(etc.resolve("passwd"), uid, "flotilla:x:" + uid + ":" + gid + ":Flotilla job:"
                + JobEnvironment.HOME + ":/bin/sh");
        appendUnlessListed(etc.resolve("group"), gid, "flotilla:x:" + gid + ":");
        Path hosts = etc.resolve("hosts");
        String known = Files.exists(hosts) ? Files.readString(hosts) : "127.0.0.1\tlocalhost\n::1\tlocalhost\n";
        String separator = known.endsWith("\n") || known.isEmpty() ? "" : "\n";
        Files.writeString(hosts, known + separator + "127.0.1.1\tflotilla\n");
        byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        Files.writeString(etc.resolve("machine-id"), HexFormat.of().formatHex(id) + "\n");
        return known + separator;
    }

    /** Appends {@code entry} to a passwd-style file unless a line already has {@code id} as its third field. */
    private static void appendUnlessListed(Path file, int id, String entry) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        boolean listed = lines.stream().map(line -> line.split(":", -1))
                .anyMatch(fields -> fields.length > 2 && fields[2].equals(Integer.toString(id)));
        if (!listed) {
            List<String> all = new ArrayList<>(lines);
            all.add(entry);
            Files.write(file, all);
        }
    }

    /** Copies files, directories and symlinks (as links); skips what this user may not read. */
    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(to, Files.readSymbolicLink(file));
                } else if (attrs.isRegularFile() && Files.isReadable(file)) {
                    Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
