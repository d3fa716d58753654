package io.flotilla.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A commit's {@code .flotilla.yml} made into the runs of its suites, and each kind of file that cannot be. */
class PipelineConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "github:acme/widgets@" + "ab".repeat(20);
    private static final String LAYER = "sha256:" + "cd".repeat(32);

    private static List<CommitSuite> suites(String yaml, boolean fromFork) throws Exception {
        return PipelineConfig.suites(yaml.getBytes(StandardCharsets.UTF_8), KEY, LAYER, fromFork);
    }

    @Test
    void eachSuiteBecomesARunBodyWithTheCheckoutMountedAndTheRunsFieldsBesideIt() throws Exception {
        List<CommitSuite> suites = suites("""
                suites:
                  - name: unit
                    kind: pytest
                    targets: [tests]
                    retries: 2
                    job: {memory: 1g, network: host, layers: [{digest: "sha256:%s", dest: /opt}]}
                  - name: c
                    kind: ctest
                """.formatted("ef".repeat(32)), false);
        assertEquals(List.of("unit", "c"), suites.stream().map(CommitSuite::name).toList());
        assertEquals("flotilla/unit", suites.get(0).context());
        JsonNode unit = JSON.readTree(suites.get(0).body());
        assertEquals(2, unit.get("retries").asInt(), "retries is the run's, beside the suite");
        assertEquals("pytest", unit.at("/suite/kind").asText());
        assertEquals("unit", unit.at("/suite/name").asText());
        assertEquals(LAYER, unit.at("/suite/job/layers/0/digest").asText(), "the checkout comes first");
        assertEquals("/src", unit.at("/suite/job/layers/0/dest").asText());
        assertEquals("/opt", unit.at("/suite/job/layers/1/dest").asText());
        assertEquals("/src", unit.at("/suite/job/workdir").asText());
        assertEquals("host", unit.at("/suite/job/network").asText(), "the submission's rules judge the network");
        assertEquals(LAYER, JSON.readTree(suites.get(1).body()).at("/suite/job/layers/0/digest").asText());
        assertEquals(CommitSuite.runIdOf(KEY, "unit"), suites.get(0).runId());
        assertNotEquals(suites.get(0).runId(), suites.get(1).runId());
        assertEquals(suites.get(0).runId(), suites("suites: [{name: unit, kind: exec}]", false).get(0).runId(),
                "the run id is the commit's and the suite's, so a submission made again is the same");
    }

    @Test
    void aForksJobsGetNoNetworkWhateverTheFileAsks() throws Exception {
        JsonNode body = JSON.readTree(suites("suites: [{name: unit, kind: pytest, job: {network: host}}]", true)
                .get(0).body());
        assertEquals("none", body.at("/suite/job/network").asText());
    }

    @Test
    void aFileThatCannotBeUsedIsRefusedNamingWhatIsWrong() {
        assertRefused("not YAML", "suites: [unclosed");
        assertRefused("is not a mapping with 'suites'", "- a list");
        assertRefused("unknown key 'build'; the file has only 'suites'", "build: {}\nsuites: [{name: a}]");
        assertRefused("'suites' must be a list of 1 to 32 suites", "suites: []");
        assertRefused("suites[0] is not a mapping", "suites: [unit]");
        assertRefused("suites[0].name must be 1 to 64 letters", "suites: [{kind: pytest}]");
        assertRefused("suites[0].name must be 1 to 64 letters", "suites: [{name: ../x}]");
        assertRefused("suites[1].name 'a' is the name of an earlier suite", "suites: [{name: a}, {name: a}]");
        assertRefused("suites[0].job is not a mapping", "suites: [{name: a, job: [1]}]");
        assertRefused("suites[0].job.layers is not a list", "suites: [{name: a, job: {layers: x}}]");
    }

    private static void assertRefused(String message, String yaml) {
        PipelineConfig.InvalidConfigException refused = assertThrows(PipelineConfig.InvalidConfigException.class,
                () -> suites(yaml, false));
        assertTrue(refused.getMessage().startsWith(".flotilla.yml: "), refused.getMessage());
        assertTrue(refused.getMessage().contains(message), refused.getMessage());
    }
}
