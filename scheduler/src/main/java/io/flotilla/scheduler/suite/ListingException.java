package io.flotilla.scheduler.suite;

/**
 * A suite's listing step gave output that is not a listing: the run fails with this message, which names the suite
 * and quotes the output, rather than running nothing or hanging.
 */
public final class ListingException extends RuntimeException {
    private static final int QUOTED_CHARS = 2000;

    public ListingException(String suite, String problem, String output) {
        super("the " + suite + " listing " + problem + "; its output was:\n" + quote(output));
    }

    private static String quote(String output) {
        String text = output.isBlank() ? "(nothing)" : output.strip();
        return text.length() <= QUOTED_CHARS ? text : text.substring(0, QUOTED_CHARS) + "\n... ("
                + (text.length() - QUOTED_CHARS) + " more characters)";
    }
}
