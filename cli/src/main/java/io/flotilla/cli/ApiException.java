package io.flotilla.cli;

/** The API refused a request: its status and its JSON error, to show the user as they are. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String field;

    ApiException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    int status() {
        return status;
    }

    /** Where in the request the problem is, or null. */
    String field() {
        return field;
    }
}
