package io.flotilla.scheduler.suite;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what Flotilla's JUnit launcher lists: one test method per line, as the JUnit Platform's method selector
 * names it ({@code com.example.FooTest#bar(int)}), then {@code N tests listed}. The launcher runs the method in the
 * test's job.
 */
public final class JUnitListing {
    private static final Pattern COUNT = Pattern.compile("(\\d+) tests listed");
    private static final Pattern METHOD = Pattern.compile("[\\w.$]+#[\\w$]+\\([^)]*\\)");

    private JUnitListing() {
    }

    public static List<DiscoveredTest> parse(String output) {
        List<DiscoveredTest> tests = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher count = COUNT.matcher(line.strip());
            if (count.matches()) {
                if (Integer.parseInt(count.group(1)) != tests.size()) {
                    throw new ListingException("JUnit", "counts " + count.group(1) + " tests but names "
                            + tests.size(), output);
                }
                return tests;
            }
            if (!line.isBlank()) {
                if (!METHOD.matcher(line.strip()).matches()) {
                    throw new ListingException("JUnit", "has a line that is not a test method: '" + line + "'",
                            output);
                }
                tests.add(DiscoveredTest.simple(line.strip(), List.of()));
            }
        }
        throw new ListingException("JUnit", "did not end with the launcher's count of tests", output);
    }
}
