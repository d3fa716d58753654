package io.flotilla.http;

/** A request that is well formed but asks for what its caller may not have; answered 403, naming the field. */
final class NotAllowedException extends RuntimeException {
    private final String field;

    NotAllowedException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    String field() {
        return field;
    }
}
