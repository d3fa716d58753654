package io.flotilla.ci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registration file as it is now: read at start (where a bad file stops the node), then read again whenever it
 * changes, so that {@code flotilla repo add} or an edit takes effect without a restart. An edit that breaks the file
 * keeps the last good registrations, and the node's log says what is wrong.
 */
public final class RepositoriesFile implements Supplier<Repositories> {
    private static final Logger log = LoggerFactory.getLogger(RepositoriesFile.class);

    private record Read(Repositories repositories, FileTime modified, long size) {
    }

    private final Path file;
    private volatile Read current;

    private RepositoriesFile(Path file, Read current) {
        this.file = file;
        this.current = current;
    }

    /** @throws Repositories.RegistrationException when the file cannot be used */
    public static RepositoriesFile open(Path file) {
        return new RepositoriesFile(file, read(file, stat(file)));
    }

    @Override
    public Repositories get() {
        Read known = current;
        BasicFileAttributes now;
        try {
            now = stat(file);
        } catch (Repositories.RegistrationException e) {
            return known.repositories();
        }
        if (now.lastModifiedTime().equals(known.modified()) && now.size() == known.size()) {
            return known.repositories();
        }
        try {
            current = read(file, now);
            log.info("read {} again: {} repositories", file, current.repositories().size());
        } catch (Repositories.RegistrationException e) {
            log.warn("kept the repositories read before: {}", e.getMessage());
            current = new Read(known.repositories(), now.lastModifiedTime(), now.size());
        }
        return current.repositories();
    }

    private static Read read(Path file, BasicFileAttributes attributes) {
        return new Read(Repositories.read(file), attributes.lastModifiedTime(), attributes.size());
    }

    private static BasicFileAttributes stat(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new Repositories.RegistrationException(file + ": " + e.getMessage());
        }
    }
}
