package io.flotilla.cli;

/** No cluster answered at the URL the user gave, or it kept answering that its scheduler is away. */
final class UnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
