package io.flotilla.protocol.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory layer described file by file, each file known by the sha256 digest of its content, as Bazel's remote
 * cache and Develocity know build inputs. A client uploads the tree and only the files the cluster lacks; a node
 * assembles the layer from the tree and the file blobs it holds, into the very tar the client would have packed
 * ({@link #writeTar}), and unpacks that with all of a tar layer's checks. So a second run of a large directory with
 * one file changed uploads that one file and a small tree, where a tar layer would upload all of it again.
 *
 * <p>The tree's bytes: the line {@value #MAGIC}, then per entry, in sorted path order, five fields each ended by a
 * NUL: kind ({@code d}, {@code f} or {@code l}), octal mode, size, digest (empty but for files) and path, then the
 * symlink target (empty but for links) and a NUL. The same directory gives the same bytes on every machine, so the
 * same tree digest.
 */
public record LayerTree(List<Entry> entries) {
    /** The first line of every tree. */
    public static final String MAGIC = "flotilla-layer-tree 1\n";
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public LayerTree {
        entries = List.copyOf(entries);
    }

    /** What a directory entry is. */
    public enum Kind {
        DIRECTORY('d'), FILE('f'), SYMLINK('l');

        private final char code;

        Kind(char code) {
            this.code = code;
        }

        static Kind of(String code) throws IOException {
            for (Kind kind : values()) {
                if (code.length() == 1 && code.charAt(0) == kind.code) {
                    return kind;
                }
            }
            throw new IOException("a layer tree entry has no kind 'd', 'f' or 'l' but '" + code + "'");
        }
    }

    /** One entry: {@code digest} for a file only, {@code link} for a symlink only. */
    public record Entry(Kind kind, String path, int mode, long size, String digest, String link) {
    }

    /** Where the content of each file entry comes from. */
    @FunctionalInterface
    public interface Contents {
        InputStream open(Entry file) throws IOException;
    }

    /** The files of a directory tree, read where they lie. */
    public static Contents filesUnder(Path dir) {
        return file -> Files.newInputStream(dir.resolve(file.path()));
    }

    /**
     * The tree of {@code dir}'s contents (not {@code dir} itself), modes reduced to 0755 for directories and
     * executables and 0644 for other files, each file's digest computed.
     */
    public static LayerTree of(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.filter(path -> !path.equals(dir)).sorted().toList();
        }
        List<Entry> entries = new ArrayList<>();
        for (Path path : paths) {
            String name = dir.relativize(path).toString();
            if (Files.isSymbolicLink(path)) {
                entries.add(new Entry(Kind.SYMLINK, name, 0777, 0, "", Files.readSymbolicLink(path).toString()));
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                entries.add(new Entry(Kind.DIRECTORY, name, 0755, 0, "", ""));
            } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                MessageDigest sha256 = sha256();
                long size;
                try (InputStream in = new DigestInputStream(Files.newInputStream(path), sha256)) {
                    size = in.transferTo(OutputStream.nullOutputStream());
                }
                entries.add(new Entry(Kind.FILE, name, Files.isExecutable(path) ? 0755 : 0644, size,
                        "sha256:" + HexFormat.of().formatHex(sha256.digest()), ""));
            } else {
                throw new IOException(path + " is neither a file, a directory nor a symlink; a layer cannot hold it");
            }
        }
        return new LayerTree(entries);
    }

    /** The digests of the tree's files, each once. */
    public Set<String> fileDigests() {
        Set<String> digests = new LinkedHashSet<>();
        entries.stream().filter(entry -> entry.kind() == Kind.FILE).forEach(entry -> digests.add(entry.digest()));
        return digests;
    }

    /** The archive of the tree: the same bytes, entry for entry, as a deterministic tar of the directory. */
    public void writeTar(OutputStream out, Contents contents) throws IOException {
        TarWriter tar = new TarWriter(out);
        for (Entry entry : entries) {
            switch (entry.kind()) {
                case DIRECTORY -> tar.directory(entry.path(), entry.mode());
                case SYMLINK -> tar.symlink(entry.path(), entry.link());
                case FILE -> {
                    try (InputStream in = contents.open(entry)) {
                        tar.file(entry.path(), entry.mode(), entry.size(), in);
                    }
                }
            }
        }
        tar.finish();
    }

    public byte[] toBytes() {
        StringBuilder text = new StringBuilder(MAGIC);
        for (Entry entry : entries) {
            text.append(entry.kind().code).append('\0').append(Integer.toOctalString(entry.mode())).append('\0')
                    .append(entry.size()).append('\0').append(entry.digest()).append('\0').append(entry.path())
                    .append('\0').append(entry.link()).append('\0');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a blob that starts with these bytes is a tree rather than a tar. */
    public static boolean isTree(byte[] start) {
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        return start.length >= magic.length && Arrays.equals(start, 0, magic.length, magic, 0, magic.length);
    }

    /**
     * Reads a tree, refusing any that is not well formed: a bad kind, mode, size or digest, a field missing, more
     * than {@code maxEntries} entries. Paths and link targets are checked where the tree is unpacked, as a tar's are.
     *
     * @throws IOException naming what is wrong
     */
    public static LayerTree parse(byte[] bytes, long maxEntries) throws IOException {
        if (!isTree(bytes)) {
            throw new IOException("a layer tree must start with '" + MAGIC.strip() + "'");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] fields = text.substring(MAGIC.length()).split("\0", -1);
        if (fields.length % 6 != 1 || !fields[fields.length - 1].isEmpty()) {
            throw new IOException("a layer tree's entries must have six fields each, ended by NUL");
        }
        int count = fields.length / 6;
        if (count > maxEntries) {
            throw new IOException("a layer tree of " + count + " entries is over the node's limit of " + maxEntries);
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            entries.add(entry(Arrays.copyOfRange(fields, 6 * i, 6 * i + 6)));
        }
        return new LayerTree(entries);
    }

    private static Entry entry(String[] field) throws IOException {
        Kind kind = Kind.of(field[0]);
        String path = field[4];
        int mode;
        long size;
        try {
            mode = Integer.parseInt(field[1], 8);
            size = Long.parseLong(field[2]);
        } catch (NumberFormatException e) {
            throw new IOException("layer tree entry '" + path + "' has a mode or size that is not a number");
        }
        if (mode < 0 || mode > 0777 || size < 0 || kind != Kind.FILE && size != 0) {
            throw new IOException("layer tree entry '" + path + "' has mode " + field[1] + " and size " + size);
        }
        if (kind == Kind.FILE != DIGEST.matcher(field[3]).matches() || kind != Kind.FILE && !field[3].isEmpty()) {
            throw new IOException("layer tree entry '" + path + "' must have a sha256 digest if, and only if, it is "
                    + "a file, got '" + field[3] + "'");
        }
        if (kind == Kind.SYMLINK == field[5].isEmpty()) {
            throw new IOException("layer tree entry '" + path + "' must have a target if, and only if, it is a "
                    + "symlink");
        }
        return new Entry(kind, path, mode, size, field[3], field[5]);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a whole tree from a stream of at most {@code maxBytes}. */
    public static byte[] readAll(InputStream in, int maxBytes) throws IOException {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new IOException("a layer tree of more than " + maxBytes + " bytes is over the node's limit");
        }
        return bytes;
    }
}
