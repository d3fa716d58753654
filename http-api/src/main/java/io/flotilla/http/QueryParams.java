package io.flotilla.http;

import io.flotilla.protocol.job.InvalidSpecException;

/** Reads query parameters strictly: a bad one is an {@link InvalidSpecException} naming it, which routes make a 400. */
final class QueryParams {
    private QueryParams() {
    }

    static int number(String text, String field, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            InvalidSpecException.require(value >= min && value <= max, field,
                    field + " " + value + " is outside " + min + " .. " + max);
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(field, field + " must be a whole number, got '" + text + "'");
        }
    }

    static boolean flag(String text, String field) {
        InvalidSpecException.require(text.equals("true") || text.equals("false"), field,
                field + " must be true or false, got '" + text + "'");
        return text.equals("true");
    }
}
