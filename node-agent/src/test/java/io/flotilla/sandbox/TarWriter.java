package io.flotilla.sandbox;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes ustar archives with whatever entries a test needs, hostile ones included, which no tar tool would write. */
final class TarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarWriter file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        header(name, '0', data.length, "", 0644);
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    TarWriter dir(String name) {
        header(name, '5', 0, "", 0755);
        return this;
    }

    TarWriter symlink(String name, String target) {
        header(name, '2', 0, target, 0777);
        return this;
    }

    TarWriter hardlink(String name, String target) {
        header(name, '1', 0, target, 0644);
        return this;
    }

    TarWriter setuidFile(String name) {
        header(name, '0', 0, "", 04755);
        return this;
    }

    Path writeTo(Path file) throws java.io.IOException {
        out.writeBytes(new byte[1024]);
        return Files.write(file, out.toByteArray());
    }

    private void header(String name, char type, long size, String link, int mode) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, octal(mode, 7), 8);
        put(h, 108, octal(0, 7), 8);
        put(h, 116, octal(0, 7), 8);
        put(h, 124, octal(size, 11), 12);
        put(h, 136, octal(1_700_000_000L, 11), 12);
        h[156] = (byte) type;
        put(h, 157, link, 100);
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, octal(sum, 6), 7);
        out.writeBytes(h);
    }

    private static String octal(long value, int digits) {
        return String.format("%0" + digits + "o", value);
    }

    private static void put(byte[] h, int offset, String value, int length) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, h, offset, Math.min(bytes.length, length));
    }
}
