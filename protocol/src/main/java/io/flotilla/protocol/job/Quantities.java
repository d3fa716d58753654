package io.flotilla.protocol.job;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sizes and durations people type: {@code 64m}, {@code 1.5g}, {@code 500ms}, {@code 2m}, {@code 30}. */
public final class Quantities {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

    private Quantities() {
    }

    /** Bytes from a number with an optional binary suffix k, m, g or t (KiB, MiB, GiB, TiB); a bare number is bytes. */
    public static long parseBytes(String text, String field) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        InvalidSpecException.require(m.matches(), field,
                "cannot read size '" + text + "'; write a number with an optional k, m, g or t suffix, like 64m");
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double value = Double.parseDouble(m.group(1)) * (1L << shift);
        InvalidSpecException.require(value < Long.MAX_VALUE, field, "size '" + text + "' is too large");
        return (long) value;
    }

    /** Bytes as people read them: {@code 512 B}, {@code 1.5 GiB}. */
    public static String describeBytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]).replace(".0 ", " ");
    }

    /** A duration as people write it: {@code 90s}, {@code 2m}, {@code 500ms}, {@code 7d}. */
    public static String describeDuration(Duration duration) {
        long millis = duration.toMillis();
        long[] sizes = {86_400_000, 3_600_000, 60_000, 1000};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis >= sizes[i] && millis % sizes[i] == 0) {
                return millis / sizes[i] + units[i];
            }
        }
        return millis + "ms";
    }

    /** A duration from a number with an optional unit ms, s, m, h or d; a bare number is seconds. */
    public static Duration parseDuration(String text, String field) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        InvalidSpecException.require(m.matches(), field,
                "cannot read duration '" + text + "'; write a number with an optional ms, s, m, h or d suffix, like 30s");
        double millis = Double.parseDouble(m.group(1)) * switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> 1000;
        };
        InvalidSpecException.require(millis < Long.MAX_VALUE / 1000, field, "duration '" + text + "' is too long");
        return Duration.ofMillis((long) millis);
    }
}
