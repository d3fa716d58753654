package io.flotilla.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Packs a directory into a tar whose bytes depend only on the tree: entries in sorted order, every mtime 0, every
 * owner 0:0, modes reduced to 0755 for directories and executables and 0644 for other files. The same tree gives
 * the same archive, so the same digest, on every machine and every checkout, and the cluster stores it once.
 */
final class DeterministicTar {
    private static final int BLOCK = 512;

    private DeterministicTar() {
    }

    /** Writes the archive of {@code dir}'s contents (not {@code dir} itself) to {@code out}. */
    static void write(Path dir, OutputStream out) throws IOException {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(dir)) {
            entries = walk.filter(path -> !path.equals(dir)).sorted().toList();
        }
        for (Path path : entries) {
            String name = dir.relativize(path).toString().replace('\\', '/');
            if (Files.isSymbolicLink(path)) {
                header(out, name, '2', 0777, 0, Files.readSymbolicLink(path).toString());
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                header(out, name + "/", '5', 0755, 0, "");
            } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                long size = Files.size(path);
                header(out, name, '0', Files.isExecutable(path) ? 0755 : 0644, size, "");
                try (var in = Files.newInputStream(path)) {
                    if (in.transferTo(out) != size) {
                        throw new IOException(path + " changed while it was packed");
                    }
                }
                pad(out, size);
            } else {
                throw new IOException(path + " is neither a file, a directory nor a symlink; a layer cannot hold it");
            }
        }
        out.write(new byte[2 * BLOCK]);
    }

    private static void header(OutputStream out, String name, char type, int mode, long size, String link)
            throws IOException {
        byte[] header = new byte[BLOCK];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        String prefix = "";
        if (nameBytes.length > 100) {
            int cut = name.lastIndexOf('/', name.length() - 2);
            while (cut > 0 && (name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length > 100
                    || name.substring(0, cut).getBytes(StandardCharsets.UTF_8).length > 155)) {
                cut = name.lastIndexOf('/', cut - 1);
            }
            if (cut <= 0) {
                throw new IOException("path too long for a tar layer: " + name);
            }
            prefix = name.substring(0, cut);
            nameBytes = name.substring(cut + 1).getBytes(StandardCharsets.UTF_8);
        }
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (linkBytes.length > 100) {
            throw new IOException("symlink target too long for a tar layer: " + name + " -> " + link);
        }
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, 0);
        header[156] = (byte) type;
        System.arraycopy(linkBytes, 0, header, 157, linkBytes.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(prefixBytes, 0, header, 345, prefixBytes.length);
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        octal(header, 148, 7, sum);
        out.write(header);
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
    }

    private static void pad(OutputStream out, long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }
}
