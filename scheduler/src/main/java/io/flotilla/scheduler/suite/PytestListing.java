package io.flotilla.scheduler.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads {@code pytest --collect-only -q}: one node id per line ({@code tests/test_io.py::TestRead::test_empty[utf8]}),
 * then a blank line and a count ("12 tests collected in 0.05s"). Each test's job runs {@code pytest NODEID}.
 */
public final class PytestListing {
    private static final Pattern COUNT = Pattern.compile("(no tests|\\d+(/\\d+)? tests?) collected.*");

    private PytestListing() {
    }

    /** The tests, in listing order; {@code pytest} is the command that runs one (like {@code python3 -m pytest}). */
    public static List<DiscoveredTest> parse(String output, List<String> pytest) {
        List<DiscoveredTest> tests = new ArrayList<>();
        boolean counted = false;
        for (String line : output.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.startsWith("ERROR ") || COUNT.matcher(trimmed).matches() && trimmed.contains(" error")) {
                throw new ListingException("pytest", "reported an error", output);
            }
            if (COUNT.matcher(trimmed).matches()) {
                counted = true;
            } else if (!Character.isWhitespace(line.charAt(0)) && line.contains("::") && !line.startsWith("=")) {
                List<String> command = new ArrayList<>(pytest);
                command.add(trimmed);
                tests.add(DiscoveredTest.simple(trimmed, command));
            }
        }
        if (!counted) {
            throw new ListingException("pytest", "did not end with pytest's count of collected tests", output);
        }
        return tests;
    }
}
