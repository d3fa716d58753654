package io.flotilla.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flotilla.protocol.job.ContainerSpec;
import io.flotilla.protocol.job.LimitPolicy;
import io.flotilla.protocol.job.Limits;
import io.flotilla.protocol.job.NetworkMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What a submitted body comes to, without a server: each way a hostile or careless body is refused, and why. */
class RunSubmissionTest {
    private static final Caller ANN = new Caller("ann", Caller.Role.SUBMIT, false);
    private static final Caller OPS = new Caller("ops", Caller.Role.SUBMIT, true);
    private static final SubmitRules OPEN = new SubmitRules(LimitPolicy.NONE, false);
    /** What must never reach a client: names of the server's code. */
    private static final Pattern JAVA = Pattern.compile("io\\.flotilla|java\\.|`|Exception|\\$");

    private static RunSubmission.Outcome parse(String body, Caller caller, SubmitRules rules) {
        return parse(body.getBytes(StandardCharsets.UTF_8), caller, rules);
    }

    private static RunSubmission.Outcome parse(byte[] body, Caller caller, SubmitRules rules) {
        return RunSubmission.parse(body, caller, Optional.empty(), rules, "r-1", 7);
    }

    private static RunSubmission.Refused refused(String body, int status, String field) {
        RunSubmission.Outcome outcome = parse(body, ANN, OPEN);
        RunSubmission.Refused refused = assertInstanceOf(RunSubmission.Refused.class, outcome, body);
        assertEquals(status, refused.status().intValue(), body + " -> " + refused.message());
        assertEquals(field, refused.field(), body + " -> " + refused.message());
        assertFalse(JAVA.matcher(refused.message()).find(), "a Java name reached the client: " + refused.message());
        return refused;
    }

    private static ContainerSpec onlyJob(RunSubmission.Outcome outcome) {
        return assertInstanceOf(RunSubmission.Parsed.class, outcome).spec().jobs().get(0);
    }

    @Test
    void aKeyGivenTwiceIsRefusedRatherThanTheLastOneWinning() {
        RunSubmission.Refused twice = refused("{\"jobs\": [{\"command\": [\"true\"]}], \"jobs\": [{\"command\": "
                + "[\"rm\", \"-rf\", \"/\"]}]}", 400, null);
        assertTrue(twice.message().matches("malformed JSON at line 1, column \\d+: Duplicate field 'jobs'"),
                twice.message());
        refused("{\"jobs\": [{\"command\": [\"true\"], \"network\": \"none\", \"network\": \"host\"}]}", 400, null);
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        byte[] body = "{\"jobs\": [{\"command\": [\"echo\", \"XX\"]}]}".getBytes(StandardCharsets.UTF_8);
        // The start of a two-byte character, followed by a byte that cannot continue it.
        body[new String(body, StandardCharsets.UTF_8).indexOf("XX")] = (byte) 0xc3;
        RunSubmission.Refused refused = assertInstanceOf(RunSubmission.Refused.class, parse(body, ANN, OPEN));
        assertEquals(400, refused.status().intValue());
        assertTrue(refused.message().startsWith("malformed JSON at line 1, column ")
                && refused.message().contains("Invalid UTF-8 middle byte"), refused.message());
    }

    @Test
    void wrongTypesAreSaidInJsonTermsNeverInJavaOnes() {
        assertEquals("the body must be a JSON object describing the request", refused("[1, 2]", 400, null).message());
        assertEquals("the body must be a JSON object describing the request",
                refused("\"a string\"", 400, null).message());
        assertEquals("wrong type for priority: expected a whole number",
                refused("{\"priority\": \"high\", \"jobs\": []}", 400, "priority").message());
        assertEquals("wrong type for jobs: expected an array", refused("{\"jobs\": \"echo\"}", 400, "jobs").message());
        assertEquals("wrong type for jobs[0].command: expected an array",
                refused("{\"jobs\": [{\"command\": {\"a\": 1}}]}", 400, "jobs[0].command").message());
        assertEquals("wrong type for jobs[0].env: expected a JSON object",
                refused("{\"jobs\": [{\"command\": [\"x\"], \"env\": [1]}]}", 400, "jobs[0].env").message());
        assertEquals("wrong type for jobs[0].writable: expected true or false",
                refused("{\"jobs\": [{\"command\": [\"x\"], \"writable\": \"yes\"}]}", 400, "jobs[0].writable")
                        .message());
        assertEquals("wrong type for batch.count: expected a whole number",
                refused("{\"batch\": {\"count\": 1.5}}", 400, "batch.count").message());
        assertEquals("wrong type for jobs[0].command[0]: expected a string", refused("{\"jobs\": [{\"command\": "
                + "[".repeat(5000) + "]".repeat(5000) + "}]}", 400, "jobs[0].command[0]").message(),
                "a nesting bomb stops at its first wrong type, long before any depth");
        refused("", 400, null);
        refused("{\"jobs\": [{\"command\": [\"true\"]},]}", 400, null);
    }

    @Test
    void argumentsAndEnvironmentPastWhatTheKernelTakesAreRefusedUpFront() {
        String million = IntStream.range(0, 1_000_000).mapToObj(i -> "\"a\"").collect(Collectors.joining(","));
        assertEquals("the command has 1000000 arguments; a job may have at most 4096",
                refused("{\"jobs\": [{\"command\": [" + million + "]}]}", 422, "jobs[0].command").message());
        String env = IntStream.range(0, 100_000).mapToObj(i -> "\"V" + i + "\": \"1\"")
                .collect(Collectors.joining(","));
        assertEquals("the environment has 100001 variables; a job may have at most 4096",
                refused("{\"jobs\": [{\"command\": [\"true\"], \"env\": {" + env + "}}]}", 422, "jobs[0].env")
                        .message());
    }

    @Test
    void theHostsNetworkNeedsTheGrantWhereverTheJobIs() {
        String job = "{\"command\": [\"true\"], \"network\": \"host\"}";
        for (String[] where : new String[][] {
                {"{\"jobs\": [" + job + "]}", "jobs[0].network"},
                {"{\"repeat\": {\"count\": 2, \"job\": " + job + "}}", "repeat.job.network"},
                {"{\"batch\": {\"count\": 2, \"template\": " + job + "}}", "batch.template.network"},
                {"{\"suite\": {\"kind\": \"exec\", \"name\": \"s\", \"targets\": [\"/t\"], \"job\": {\"network\": "
                        + "\"host\"}}}", "suite.job.network"}}) {
            RunSubmission.Refused refused = refused(where[0], 403, where[1]);
            assertEquals("network: host is not allowed for this caller: a job on the host's network reaches every "
                    + "port of the node, so it needs a token with the host-network grant, or the admin role",
                    refused.message());
            assertInstanceOf(RunSubmission.Parsed.class, parse(where[0], OPS, new SubmitRules(LimitPolicy.NONE,
                    true)), "granted, it is accepted");
        }
        assertEquals(NetworkMode.LOOPBACK, onlyJob(parse("{\"jobs\": [{\"command\": [\"true\"], \"network\": "
                + "\"loopback\"}]}", ANN, OPEN)).network(), "its own loopback needs no grant");
    }

    @Test
    void theOperatorsDefaultsAndMaximaHold() {
        SubmitRules capped = new SubmitRules(new LimitPolicy(Limits.DEFAULT, 1L << 30, 0, Duration.ofMinutes(5), 0),
                false);
        ContainerSpec plain = onlyJob(parse("{\"jobs\": [{\"command\": [\"true\"]}]}", ANN, capped));
        assertEquals(1L << 30, plain.limits().memoryBytes());
        assertEquals(Duration.ofMinutes(5), plain.limits().timeout());
        RunSubmission.Refused tooMuch = assertInstanceOf(RunSubmission.Refused.class,
                parse("{\"jobs\": [{\"command\": [\"true\"], \"memory\": \"8g\"}]}", ANN, capped));
        assertEquals(422, tooMuch.status().intValue());
        assertEquals("jobs[0].limits.memory", tooMuch.field());
        assertEquals("8 GiB of memory is more than this cluster allows a job: at most 1 GiB "
                + "(flotilla.limits.max.memory)", tooMuch.message());
    }

    @Test
    void theSameKeyFromTheSameUserNamesTheSameRunAndAnotherUsersKeyAnother() {
        byte[] body = "{\"jobs\": [{\"command\": [\"true\"]}]}".getBytes(StandardCharsets.UTF_8);
        String ann = ((RunSubmission.Parsed) RunSubmission.parse(body, ANN, Optional.of("k1"), OPEN, "r-9", 1))
                .spec().runId();
        assertEquals(ann, ((RunSubmission.Parsed) RunSubmission.parse(body, ANN, Optional.of("k1"), OPEN, "r-8", 2))
                .spec().runId());
        assertFalse(ann.equals(((RunSubmission.Parsed) RunSubmission.parse(body, OPS, Optional.of("k1"), OPEN, "r-8",
                2)).spec().runId()));
    }
}
