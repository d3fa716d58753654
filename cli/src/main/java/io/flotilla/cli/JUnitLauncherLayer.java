package io.flotilla.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.suite.SuiteCommands;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The layer a JUnit suite's containers get at {@link SuiteCommands#JUNIT_LAUNCHER_DIR}: Flotilla's JUnit launcher and
 * the JUnit Platform jars it runs on, taken from this command's own class path. Packed like any layer, it has the
 * same digest every time, so a cluster receives it once.
 */
final class JUnitLauncherLayer {
    /** A class from each jar the launcher needs. */
    private static final List<String> JAR_CLASSES = List.of(SuiteCommands.JUNIT_LAUNCHER_CLASS,
            "org.junit.platform.launcher.Launcher", "org.junit.platform.engine.TestEngine",
            "org.junit.platform.commons.JUnitException", "org.opentest4j.TestAbortedException");

    private JUnitLauncherLayer() {
    }

    /** The layer as a JSON layer of the REST API, uploaded if the cluster lacks it. */
    static ObjectNode upload(LayerUploader uploader) throws IOException {
        Path dir = Files.createTempDirectory("flotilla-junit-");
        try {
            for (String name : JAR_CLASSES) {
                Path jar = jarOf(name);
                Files.copy(jar, dir.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return FlotillaClient.JSON.createObjectNode().put("digest", uploader.directory(dir))
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
