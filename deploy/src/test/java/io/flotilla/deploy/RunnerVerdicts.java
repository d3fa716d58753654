package io.flotilla.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Test id → verdict (passed, failed, error, skipped) as each runner reports it: Flotilla's JSON report, and the
 * suites' own runners (pytest-xdist's verbose lines, Surefire's XML reports, gnome-desktop-testing's lines), so that
 * the tests and the benchmarks compare Flotilla's verdicts with the ones a suite's own runner gives.
 */
final class RunnerVerdicts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WORST_FIRST = List.of("error", "failed", "passed", "skipped");
    private static final Pattern XDIST_LINE = Pattern.compile(
            "\\[gw\\d+\\] \\[\\s*\\d+%\\] (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (.+?)\\s*");
    private static final Pattern GNOME_LINE = Pattern.compile("(PASS|FAIL|SKIP): (\\S+)\\b.*");

    private RunnerVerdicts() {
    }

    /** The worse of two verdicts: an error over a failure over a pass over a skip. */
    static String worse(String a, String b) {
        return WORST_FIRST.indexOf(a) <= WORST_FIRST.indexOf(b) ? a : b;
    }

    /** The JSON report's last attempt of each test, by test name. */
    static Map<String, JsonNode> lastAttempts(Path json) throws IOException {
        Map<String, JsonNode> attempts = new TreeMap<>();
        for (String line : Files.readAllLines(json)) {
            JsonNode attempt = JSON.readTree(line);
            attempts.put(attempt.get("test").asText(), attempt);
        }
        return attempts;
    }

    /** The verdict of each test's last attempt in Flotilla's JSON report. */
    static Map<String, String> flotilla(Path json) throws IOException {
        Map<String, String> verdicts = new TreeMap<>();
        lastAttempts(json).forEach((test, attempt) -> verdicts.put(test, attempt.get("verdict").asText()));
        return verdicts;
    }

    /**
     * From {@code pytest -n N -v}: the worst of each node id's lines (a test that passed and then failed its teardown
     * has two), xfail as skipped and a non-strict xpass as passed, as Flotilla reports them; {@code prefix} is put
     * before each id.
     */
    static Map<String, String> xdist(String output, String prefix) {
        return fromLines(output, XDIST_LINE, word -> switch (word) {
            case "XFAIL" -> "skipped";
            case "XPASS" -> "passed";
            default -> word.toLowerCase(Locale.ROOT);
        }, prefix);
    }

    /**
     * Each line that matches {@code line}, whose first group is the runner's word for a verdict and second the test's
     * id: the worst verdict of each id, the id after {@code prefix}.
     */
    private static Map<String, String> fromLines(String output, Pattern line, Function<String, String> verdictOf,
                                                 String prefix) {
        Map<String, String> verdicts = new TreeMap<>();
        for (String text : output.lines().toList()) {
            Matcher m = line.matcher(text);
            if (m.matches()) {
                verdicts.merge(prefix + m.group(2), verdictOf.apply(m.group(1)), RunnerVerdicts::worse);
            }
        }
        return verdicts;
    }

    /**
     * From Surefire's {@code TEST-*.xml} reports, by {@code class#method}: the worst of a method's invocations, as
     * Flotilla reports a parameterized method.
     */
    static Map<String, String> surefire(Path reports) throws Exception {
        Map<String, String> verdicts = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(reports)) {
            files = listed.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).toList();
        }
        for (Path file : files) {
            NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile())
                    .getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element testcase = (Element) cases.item(i);
                verdicts.merge(testcase.getAttribute("classname") + "#" + methodName(testcase.getAttribute("name")),
                        verdictOf(testcase), RunnerVerdicts::worse);
            }
        }
        return verdicts;
    }

    /** A testcase element's verdict, from its failure, error or skipped child. */
    static String verdictOf(Element testcase) {
        String verdict = "passed";
        for (String element : List.of("failure", "error", "skipped")) {
            if (testcase.getElementsByTagName(element).getLength() > 0) {
                verdict = element.equals("failure") ? "failed" : element;
            }
        }
        return verdict;
    }

    /** A JUnit method's name without its parameter types or invocation index: {@code bar} of {@code bar(int)[2]}. */
    static String methodName(String name) {
        int end = name.length();
        for (char c : new char[] {'(', '['}) {
            int at = name.indexOf(c);
            end = at >= 0 ? Math.min(end, at) : end;
        }
        return name.substring(0, end).trim();
    }

    /**
     * From gnome-desktop-testing-runner's lines, {@code PASS: dir/name.test}: it tells a failure from an error no
     * more than an exit status does, so both are failed.
     */
    static Map<String, String> gnomeDesktopTesting(String output) {
        return fromLines(output, GNOME_LINE, word -> switch (word) {
            case "PASS" -> "passed";
            case "SKIP" -> "skipped";
            default -> "failed";
        }, "");
    }
}
