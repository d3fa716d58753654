package io.flotilla.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Maven project's JUnit suite as Surefire would run it, for {@code flotilla test junit --maven DIR}: Maven itself
 * compiles the tests and names their class path (the test classes, the classes, every test-scoped jar), so the user
 * types no class path and the run sees what {@code mvn test} would.
 *
 * <p>The jars outside the project usually share one ancestor, the local repository. On the cluster a command starts
 * for itself that ancestor is bound as it is; a named cluster gets a layer of only the class path's jars, laid out
 * as they lie under that ancestor, so a first run uploads what the tests use and not the whole repository.
 */
final class MavenProject {
    /** The goal that writes the class path; named in full, so a project's own plugin versions do not matter. */
    static final String BUILD_CLASSPATH = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath";
    /** How much of a failed Maven's output the error quotes: its end. */
    private static final int QUOTED_LINES = 40;

    private final Path dir;
    private final List<Path> jars;

    private MavenProject(Path dir, List<Path> jars) {
        this.dir = dir;
        this.jars = jars;
    }

    /** Compiles the project's tests and reads their class path, by Maven (the project's {@code mvnw} if it has one). */
    static MavenProject build(Path given, PrintWriter err) throws IOException, InterruptedException {
        Path dir = given.toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
            throw new UsageException("--maven " + dir + ": there is no pom.xml");
        }
        Path classPathFile = Files.createTempFile("flotilla-classpath-", ".txt");
        try {
            Path wrapper = dir.resolve("mvnw");
            List<String> command = List.of(Files.isExecutable(wrapper) ? wrapper.toString() : "mvn", "-q", "-B", "-Dstyle.color=never",
                    "test-compile", BUILD_CLASSPATH, "-Dmdep.outputFile=" + classPathFile, "-Dmdep.includeScope=test");
            err.println("flotilla: building the tests' class path: " + String.join(" ", command));
            err.flush();
            Process maven;
            try {
                maven = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new UsageException("--maven " + dir + ": cannot run Maven: " + e.getMessage());
            }
            maven.getOutputStream().close();
            String output = new String(maven.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = maven.waitFor();
            if (status != 0) {
                throw new UsageException("--maven " + dir + ": Maven could not compile the tests or name their class "
                        + "path (exit status " + status + "); it said:\n" + end(output));
            }
            String classPath = Files.readString(classPathFile).strip();
            List<Path> jars = classPath.isEmpty() ? List.of()
                    : Arrays.stream(classPath.split(File.pathSeparator)).map(Path::of).toList();
            return new MavenProject(dir, jars);
        } finally {
            Files.deleteIfExists(classPathFile);
        }
    }

    private static String end(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - QUOTED_LINES), lines.size()));
    }

    Path dir() {
        return dir;
    }

    /** The suite's class path as Surefire orders it: test classes, classes, then the jars. */
    List<String> classPath() {
        List<String> entries = new ArrayList<>();
        for (String output : List.of("target/test-classes", "target/classes")) {
            if (Files.isDirectory(dir.resolve(output))) {
                entries.add(dir.resolve(output).toString());
            }
        }
        jars.forEach(jar -> entries.add(jar.toString()));
        return entries;
    }

    /** The jars the project does not hold itself. */
    List<Path> outsideJars() {
        return jars.stream().filter(jar -> !jar.startsWith(dir)).toList();
    }

    /**
     * Where the outside jars come from: their common ancestor, when it is at least two levels deep (like
     * {@code /home/dev/.m2/repository}); otherwise each jar's own directory, so no layer covers a whole top-level
     * directory such as {@code /usr}.
     */
    static List<Path> roots(List<Path> jars) {
        if (jars.isEmpty()) {
            return List.of();
        }
        Path common = jars.get(0).getParent();
        for (Path jar : jars) {
            while (common != null && !jar.startsWith(common)) {
                common = common.getParent();
            }
        }
        if (common != null && common.getNameCount() >= 2) {
            return List.of(common);
        }
        Set<Path> parents = new LinkedHashSet<>();
        jars.forEach(jar -> parents.add(jar.getParent()));
        return List.copyOf(parents);
    }

    /**
     * Whether the jobs' user, which is no one in particular, can read each of the jars under {@code root} through a
     * bind of it: the jar and every directory from {@code root} down to it open to other users.
     */
    static boolean othersCanRead(Path root, List<Path> jars) throws IOException {
        for (Path jar : jars) {
            if (!jar.startsWith(root)) {
                continue;
            }
            for (Path step = jar; step.startsWith(root); step = step.getParent()) {
                Set<PosixFilePermission> modes = Files.getPosixFilePermissions(step);
                if (!modes.contains(PosixFilePermission.OTHERS_READ)
                        || Files.isDirectory(step) && !modes.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A deterministic tar of the jars under {@code root}, laid out as they lie there, written into {@code scratch}:
     * the layer a named cluster gets in place of the whole of {@code root}.
     */
    static Path packJars(Path root, List<Path> jars, Path scratch) throws IOException {
        Path tree = Files.createTempDirectory(scratch, "jars-");
        for (Path jar : jars) {
            if (!jar.startsWith(root)) {
                continue;
            }
            List<Path> files;
            try (Stream<Path> walk = Files.walk(jar)) { // a class directory of another module, or a jar
                files = walk.filter(Files::isRegularFile).toList();
            }
            for (Path file : files) {
                Path copy = tree.resolve(root.relativize(file).toString());
                Files.createDirectories(copy.getParent());
                try {
                    Files.createLink(copy, file);
                } catch (IOException | UnsupportedOperationException crossDevice) {
                    Files.copy(file, copy);
                }
            }
        }
        Path tar = scratch.resolve(tree.getFileName() + ".tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            DeterministicTar.write(tree, out);
        }
        return tar;
    }
}
