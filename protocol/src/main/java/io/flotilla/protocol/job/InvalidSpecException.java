package io.flotilla.protocol.job;

/**
 * A job or container spec that cannot be run as written. It names the offending field, so that the CLI can print
 * one clear line and the REST API can answer {@code {"error": ..., "field": ...}}.
 */
public final class InvalidSpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidSpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The spec field at fault, such as {@code limits.memory} or {@code layers[2].dest}. */
    public String field() {
        return field;
    }

    /** Throws when {@code condition} is false. */
    public static void require(boolean condition, String field, String message) {
        if (!condition) {
            throw new InvalidSpecException(field, message);
        }
    }
}
