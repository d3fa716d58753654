package io.flotilla.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.suite.SuiteCommands;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layer a JUnit suite's containers get at {@link SuiteCommands#JUNIT_LAUNCHER_DIR}: Flotilla's JUnit launcher and
 * a JUnit Platform launcher of the suite's own Platform version, as Surefire resolves one. A Jupiter engine finds no
 * test at all, and says nothing, on a Platform of another minor version (5.10's on Platform 1.14, say), so when the
 * suite's class path has a {@code junit-platform-engine} jar of another version than this command's, the layer
 * holds the launcher of that version (the distribution bundles one per minor version, in
 * {@code lib/junit-platform-launchers}) and the suite's own engine and commons jars serve it. Otherwise it holds the
 * Platform jars of this command's own class path. Packed like any layer, it has the same digest every time, so a
 * cluster receives it once.
 */
final class JUnitLauncherLayer {
    /** A class from each jar the launcher needs on this command's own Platform. */
    private static final List<String> JAR_CLASSES = List.of(SuiteCommands.JUNIT_LAUNCHER_CLASS,
            "org.junit.platform.launcher.Launcher", "org.junit.platform.engine.TestEngine",
            "org.junit.platform.commons.JUnitException", "org.opentest4j.TestAbortedException");
    private static final Pattern ENGINE_JAR = Pattern.compile("junit-platform-engine-(\\d+\\.\\d+)\\..*\\.jar");
    private static final Pattern LAUNCHER_JAR = Pattern.compile("junit-platform-launcher-(\\d+\\.\\d+)\\..*\\.jar");
    private static final String BUNDLED_LAUNCHERS = "junit-platform-launchers";

    private JUnitLauncherLayer() {
    }

    /** The layer for a suite of this class path, as a JSON layer of the REST API, uploaded if the cluster lacks it. */
    static ObjectNode upload(LayerUploader uploader, List<String> classPath) throws IOException {
        Path dir = Files.createTempDirectory("flotilla-junit-");
        try {
            for (Path jar : jars(classPath)) {
                Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return FlotillaClient.JSON.createObjectNode().put("digest", uploader.packed(dir))
                    .put("dest", SuiteCommands.JUNIT_LAUNCHER_DIR);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /** The jars of the layer: Flotilla's launcher and a Platform launcher of the suite's Platform version. */
    private static List<Path> jars(List<String> classPath) throws IOException {
        Path ours = jarOf(SuiteCommands.JUNIT_LAUNCHER_CLASS);
        String ownVersion = minorVersion(jarOf("org.junit.platform.launcher.Launcher"), LAUNCHER_JAR).orElse("");
        Optional<String> suiteVersion = classPath.stream().map(Path::of)
                .map(entry -> minorVersion(entry, ENGINE_JAR)).flatMap(Optional::stream).findFirst();
        if (suiteVersion.isEmpty() || suiteVersion.get().equals(ownVersion)) {
            List<Path> jars = new ArrayList<>();
            for (String name : JAR_CLASSES) {
                jars.add(jarOf(name));
            }
            return jars;
        }
        Path bundled = ours.resolveSibling(BUNDLED_LAUNCHERS);
        List<Path> launchers;
        try (Stream<Path> files = Files.isDirectory(bundled) ? Files.list(bundled) : Stream.empty()) {
            launchers = files.sorted().toList();
        }
        for (Path launcher : launchers) {
            if (minorVersion(launcher, LAUNCHER_JAR).equals(suiteVersion)) {
                return List.of(ours, launcher);
            }
        }
        throw new UsageException("the suite's class path has JUnit Platform " + suiteVersion.get()
                + " (its junit-platform-engine jar), and this installation has no launcher of that version ("
                + ownVersion + " and " + launchers.stream().map(l -> minorVersion(l, LAUNCHER_JAR).orElse("?"))
                .toList() + "); a Jupiter engine finds no tests on another Platform version, so use one of those");
    }

    /** {@code 1.10} of {@code .../junit-platform-engine-1.10.2.jar}, when the file's name is of that pattern. */
    private static Optional<String> minorVersion(Path jar, Pattern pattern) {
        Matcher m = pattern.matcher(jar.getFileName() == null ? "" : jar.getFileName().toString());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Path jarOf(String className) {
        try {
            Path jar = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) {
                throw new UsageException("the JUnit launcher's class " + className + " is not in a jar (" + jar
                        + "); run the flotilla distribution");
            }
            return jar;
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new UsageException("the JUnit launcher is missing from this installation: " + e.getMessage());
        }
    }
}
