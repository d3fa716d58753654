package io.flotilla.sandbox;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Unpacks a tar stream (ustar, GNU long names, pax) into a directory without ever writing outside it.
 *
 * <p>Refused, with the entry named: absolute paths, {@code ..} components, symlinks whose relative target climbs
 * out of the layer, hard links to anything but an earlier regular file of the same layer, and entries that would
 * be written through a symlink. Absolute symlink targets are kept: they resolve inside the container, and nothing
 * here follows a link. Setuid and setgid bits are dropped; device nodes and FIFOs are skipped, because a job could
 * not use them anyway.
 */
final class TarExtractor {
    private static final int BLOCK = 512;

    private final Path root;
    private final long maxEntries;
    private final Map<String, String> pax = new HashMap<>();
    private String longName;
    private String longLink;
    private long entryCount;

    private TarExtractor(Path root, long maxEntries) {
        this.root = root;
        this.maxEntries = maxEntries;
    }

    /** Unpacks {@code in} into {@code root}; the caller bounds the stream's bytes, this its entries. */
    static void extract(InputStream in, Path root, long maxEntries) throws IOException {
        new TarExtractor(root, maxEntries).run(in);
    }

    private void run(InputStream in) throws IOException {
        byte[] header = new byte[BLOCK];
        boolean sawEntry = false;
        while (true) {
            if (!readBlock(in, header, sawEntry)) {
                return;
            }
            if (isZero(header)) {
                return;
            }
            if (!checksumMatches(header)) {
                throw new InvalidLayerException(sawEntry ? "corrupt tar header after " + entryCount + " entries"
                        : "not a tar archive (the first header's checksum is wrong)");
            }
            sawEntry = true;
            if (++entryCount > maxEntries) {
                throw new InvalidLayerException("the layer has more than " + maxEntries
                        + " entries, this node's limit (flotilla.sandbox.layer-max-entries)");
            }
            char type = (char) header[156];
            long size = octal(header, 124, 12);
            switch (type) {
                case 'x' -> {
                    parsePax(new String(readData(in, size), StandardCharsets.UTF_8));
                    continue;
                }
                case 'g' -> {
                    skip(in, size);
                    continue;
                }
                case 'L' -> {
                    longName = trimNul(readData(in, size));
                    continue;
                }
                case 'K' -> {
                    longLink = trimNul(readData(in, size));
                    continue;
                }
                default -> {
                }
            }
            String name = pax.getOrDefault("path", longName != null ? longName : ustarName(header));
            String link = pax.getOrDefault("linkpath", longLink != null ? longLink : string(header, 157, 100));
            if (pax.containsKey("size")) {
                size = Long.parseLong(pax.get("size"));
            }
            pax.clear();
            longName = null;
            longLink = null;
            int mode = (int) octal(header, 100, 8) & 0777; // setuid, setgid and sticky bits are dropped
            long mtime = octal(header, 136, 12);
            entry(in, type, name, link, size, mode, mtime);
        }
    }

    private void entry(InputStream in, char type, String name, String link, long size, int mode, long mtime)
            throws IOException {
        String relative = safeRelative(name);
        if (relative.isEmpty()) {
            skip(in, size);
            return;
        }
        Path target = root.resolve(relative);
        requireNoSymlinkBetween(target.getParent(), name);
        switch (type) {
            case '0', '\0', '7' -> {
                Files.deleteIfExists(target);
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    copy(in, out, size);
                }
                skipPadding(in, size);
                setAttributes(target, mode, mtime);
            }
            case '5' -> {
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(target);
                    Files.createDirectory(target);
                }
                setAttributes(target, mode | 0700, mtime);
                skip(in, size);
            }
            case '2' -> {
                requireLinkInside(relative, link, name);
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(link));
                skip(in, size);
            }
            case '1' -> {
                String source = safeRelative(link);
                Path sourcePath = root.resolve(source);
                requireNoSymlinkBetween(sourcePath.getParent(), link);
                if (!Files.isRegularFile(sourcePath, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidLayerException("tar entry " + name + " is a hard link to " + link
                            + ", which is not an earlier regular file of the layer");
                }
                Files.deleteIfExists(target);
                Files.createLink(target, sourcePath);
                skip(in, size);
            }
            default -> skip(in, size); // devices, FIFOs and unknown types
        }
    }

    /** The entry's path relative to the layer, or an exception naming what is wrong with it. */
    private static String safeRelative(String name) {
        if (name.startsWith("/")) {
            throw new InvalidLayerException("tar entry " + name + " has an absolute path");
        }
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new InvalidLayerException("tar entry " + name + " has a '..' component");
            }
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    private static void requireLinkInside(String relative, String link, String name) {
        if (link.startsWith("/")) {
            return;
        }
        int depth = relative.split("/").length - 1; // directories above the link, inside the layer
        for (String part : link.split("/")) {
            if (part.equals("..")) {
                depth--;
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
            if (depth < 0) {
                throw new InvalidLayerException("tar entry " + name + " is a symlink to " + link
                        + ", which points out of the layer");
            }
        }
    }

    private void requireNoSymlinkBetween(Path dir, String name) throws IOException {
        if (dir == null || dir.equals(root)) {
            return;
        }
        requireNoSymlinkBetween(dir.getParent(), name);
        if (Files.isSymbolicLink(dir)) {
            throw new InvalidLayerException("tar entry " + name + " would be written through the symlink "
                    + root.relativize(dir));
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(dir);
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidLayerException("tar entry " + name + " is below " + root.relativize(dir)
                    + ", which is not a directory");
        }
    }

    private static void setAttributes(Path path, int mode, long mtime) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        Files.setPosixFilePermissions(path, permissions);
        Files.setLastModifiedTime(path, FileTime.fromMillis(mtime * 1000));
    }

    private void parsePax(String records) {
        int i = 0;
        while (i < records.length()) {
            int space = records.indexOf(' ', i);
            if (space < 0) {
                break;
            }
            int length = Integer.parseInt(records.substring(i, space));
            String record = records.substring(space + 1, i + length - 1);
            int equals = record.indexOf('=');
            if (equals > 0) {
                pax.put(record.substring(0, equals), record.substring(equals + 1));
            }
            i += length;
        }
    }

    private static String ustarName(byte[] header) {
        String name = string(header, 0, 100);
        boolean ustar = new String(header, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? string(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String string(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String trimNul(byte[] data) {
        int end = data.length;
        while (end > 0 && data[end - 1] == 0) {
            end--;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        if ((header[offset] & 0x80) != 0) { // GNU base-256 for large numbers
            long value = header[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                value = (value << 8) | (header[offset + i] & 0xff);
            }
            return value;
        }
        String text = string(header, offset, length).trim();
        return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    }

    private static boolean checksumMatches(byte[] header) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
        }
        try {
            return sum == octal(header, 148, 8);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads one header block; false at a clean end of stream, which some writers leave without zero blocks. */
    private static boolean readBlock(InputStream in, byte[] block, boolean sawEntry) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0 && sawEntry) {
            return false;
        }
        if (n < BLOCK) {
            throw new InvalidLayerException(sawEntry ? "tar archive ends in the middle of a header"
                    : "not a tar archive (shorter than one header)");
        }
        return true;
    }

    private static byte[] readData(InputStream in, long size) throws IOException {
        if (size > 1 << 20) {
            throw new InvalidLayerException("tar extended header of " + size + " bytes is too large");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("tar archive ends inside an entry");
        }
        skipPadding(in, size);
        return data;
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new InvalidLayerException("tar archive ends inside an entry");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long size) throws IOException {
        in.skipNBytes((size + BLOCK - 1) / BLOCK * BLOCK);
    }

    private static void skipPadding(InputStream in, long size) throws IOException {
        long padding = (BLOCK - size % BLOCK) % BLOCK;
        in.skipNBytes(padding);
    }
}
