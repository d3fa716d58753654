package io.flotilla.agent;

import static io.flotilla.protocol.job.Quantities.describeBytes;

import io.flotilla.protocol.run.JobAttempt;
import io.flotilla.sandbox.BlobStore;
import io.flotilla.sandbox.LayerCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's {@link NodeStore} on its own disk: the blob store its layer cache unpacks from, and its output store,
 * kept within the budgets of {@link StorageSettings} by {@link #sweep}. Every method touches files, so callers run
 * them on a blocking-I/O dispatcher.
 */
public final class NodeFiles implements NodeStore {
    private static final Logger log = LoggerFactory.getLogger(NodeFiles.class);

    private final BlobStore blobs;
    private final OutputStore outputs;
    private final StorageSettings settings;
    private final Path disk;
    private volatile FileStore diskStore;

    /** @param disk a path on the disk the stores share, whose free space the settings' minimum is kept on */
    public NodeFiles(BlobStore blobs, OutputStore outputs, StorageSettings settings, Path disk) {
        this.blobs = blobs;
        this.outputs = outputs;
        this.settings = settings;
        this.disk = disk;
    }

    /** The output store, for the node agent that fills it. */
    public OutputStore outputs() {
        return outputs;
    }

    @Override
    public Optional<Blob> blob(String digest) {
        return blobs.find(digest).map(file -> {
            try {
                Files.setLastModifiedTime(file, FileTime.from(Instant.now())); // used now: swept last
                return new Blob(file, Files.size(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Stored putBlob(InputStream bytes, String digest) throws IOException {
        long free = usableSpace();
        if (free < settings.minFree()) {
            throw new DiskFullException("this node's disk has " + describeBytes(free) + " free, and it keeps "
                    + describeBytes(settings.minFree()) + " free (flotilla.storage.min-free)");
        }
        boolean wasThere = blobs.find(digest).isPresent();
        try {
            blobs.put(bytes, digest);
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().contains("No space left on device") ? full(e) : e;
        }
        return new Stored(blob(digest).orElseThrow(), !wasThere);
    }

    /**
     * The disk's free space now. Finding a path's file store reads the mount table, too slow to do for each of a
     * layer tree's thousands of files; the store, once found, asks the kernel afresh each time.
     */
    private long usableSpace() throws IOException {
        FileStore store = diskStore;
        if (store == null) {
            store = Files.getFileStore(disk);
            diskStore = store;
        }
        return store.getUsableSpace();
    }

    private static DiskFullException full(IOException cause) {
        DiskFullException full = new DiskFullException("this node's disk filled up while it stored the blob: "
                + cause.getMessage());
        full.initCause(cause);
        return full;
    }

    @Override
    public Optional<AttemptOutput> output(JobAttempt attempt) {
        return outputs.find(attempt);
    }

    @Override
    public Optional<AttemptOutput> outputByName(String runId, String name) {
        return outputs.byName(runId, name);
    }

    /**
     * Removes kept output (a run's at a time) and blobs past their age or over their budget, least recently used
     * first, and more when the disk has less free space than it keeps. Returns what it removed.
     */
    public List<Path> sweep(Instant now) throws IOException {
        long mustFree = Math.max(0, settings.minFree() - usableSpace());
        List<Path> removed = new ArrayList<>();
        for (Eviction.Entry run : Eviction.toRemove(weigh(outputs.runDirs()), settings.outputBudget(),
                settings.outputMaxAge(), mustFree, now)) {
            LayerCache.deleteTree(run.path());
            removed.add(run.path());
            mustFree -= run.bytes();
        }
        for (Eviction.Entry blob : Eviction.toRemove(weigh(blobs.files()), settings.blobBudget(),
                settings.blobMaxAge(), Math.max(0, mustFree), now)) {
            Files.deleteIfExists(blob.path());
            removed.add(blob.path());
        }
        if (!removed.isEmpty()) {
            log.info("swept {} kept output directories and blobs: past their age or over their budget", removed.size());
        }
        return removed;
    }

    /** Each path's bytes (a directory's files together) and when it was last used (its newest file). */
    private static List<Eviction.Entry> weigh(List<Path> paths) throws IOException {
        List<Eviction.Entry> entries = new ArrayList<>(paths.size());
        for (Path path : paths) {
            long bytes = 0;
            FileTime newest = Files.getLastModifiedTime(path);
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    bytes += Files.size(file);
                    FileTime modified = Files.getLastModifiedTime(file);
                    newest = modified.compareTo(newest) > 0 ? modified : newest;
                }
            }
            entries.add(new Eviction.Entry(path, bytes, newest.toInstant()));
        }
        return entries;
    }
}
