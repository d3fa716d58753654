package io.flotilla.protocol.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the entries of a deterministic tar: ustar headers with every mtime 0 and every owner 0:0, so the bytes
 * depend only on the names, modes and contents given. The client packs a directory with it, and a node assembles a
 * {@link LayerTree} with it into the same archive the client would have packed.
 */
public final class TarWriter {
    private static final int BLOCK = 512;

    private final OutputStream out;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String name, int mode) throws IOException {
        header(name + "/", '5', mode, 0, "");
    }

    public void symlink(String name, String target) throws IOException {
        header(name, '2', 0777, 0, target);
    }

    /** A file of exactly {@code size} bytes, read from {@code content}; a stream of another length is refused. */
    public void file(String name, int mode, long size, InputStream content) throws IOException {
        header(name, '0', mode, size, "");
        if (content.transferTo(out) != size) {
            throw new IOException(name + " is not the " + size + " bytes it was said to be");
        }
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            out.write(new byte[BLOCK - rest]);
        }
    }

    /** The two zero blocks that end an archive. */
    public void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    private void header(String name, char type, int mode, long size, String link) throws IOException {
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
        Arrays.fill(header, 148, 156, (byte) ' ');
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
}
