package io.flotilla.scheduler.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a GoogleTest binary's {@code --gtest_list_tests}: a suite name ending in '.' on its own line, then each of
 * its tests indented below it; parameterized ones carry a {@code # GetParam() = ...} comment. Each test's job runs
 * the binary with {@code --gtest_filter=Suite.Name}; tests named {@code DISABLED_...} are listed as disabled.
 */
public final class GTestListing {
    private GTestListing() {
    }

    public static List<DiscoveredTest> parse(String output, String binary) {
        List<DiscoveredTest> tests = new ArrayList<>();
        String suite = null;
        for (String line : output.split("\n")) {
            if (line.isBlank() || line.startsWith("Running main() from ")) { // gtest_main's greeting
                continue;
            }
            String text = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            if (!Character.isWhitespace(line.charAt(0))) {
                suite = text.strip();
                if (!suite.endsWith(".") || suite.length() == 1 || suite.contains(" ")) {
                    throw new ListingException("GoogleTest", "has a line that is neither a suite nor a test: '"
                            + line + "'", output);
                }
            } else {
                String test = text.strip();
                if (suite == null || test.isEmpty() || test.contains(" ")) {
                    throw new ListingException("GoogleTest", "has a line that is neither a suite nor a test: '"
                            + line + "'", output);
                }
                String name = suite + test;
                tests.add(new DiscoveredTest(name, List.of(binary, "--gtest_filter=" + name), null, Map.of(), null,
                        suite.startsWith("DISABLED_") || test.startsWith("DISABLED_"), false, null));
            }
        }
        if (tests.isEmpty()) {
            throw new ListingException("GoogleTest", "lists no tests", output);
        }
        return tests;
    }
}
