package io.flotilla.scheduler.suite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code ctest --show-only=json-v1}: each test's own command line, with the properties that shape its job:
 * WORKING_DIRECTORY, ENVIRONMENT, TIMEOUT, WILL_FAIL, DISABLED and SKIP_RETURN_CODE.
 */
public final class CTestListing {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CTestListing() {
    }

    public static List<DiscoveredTest> parse(String output) {
        JsonNode listing;
        try {
            listing = JSON.readTree(output);
        } catch (JsonProcessingException e) {
            throw new ListingException("ctest", "is not JSON (" + e.getOriginalMessage() + ")", output);
        }
        if (listing == null || !listing.path("tests").isArray()) {
            throw new ListingException("ctest", "has no \"tests\" list", output);
        }
        List<DiscoveredTest> tests = new ArrayList<>();
        for (JsonNode test : listing.get("tests")) {
            String name = test.path("name").asText("");
            List<String> command = new ArrayList<>();
            test.path("command").forEach(arg -> command.add(arg.asText()));
            if (name.isEmpty()) {
                throw new ListingException("ctest", "has a test without a name", output);
            }
            Map<String, JsonNode> properties = new HashMap<>();
            test.path("properties").forEach(property -> properties.put(property.path("name").asText(),
                    property.path("value")));
            boolean disabled = properties.containsKey("DISABLED") && properties.get("DISABLED").asBoolean();
            if (command.isEmpty() && !disabled) {
                throw new ListingException("ctest", "has test " + name + " without a command (is the project built?)",
                        output);
            }
            Map<String, String> env = new HashMap<>();
            properties.getOrDefault("ENVIRONMENT", JSON.createArrayNode()).forEach(pair -> {
                String text = pair.asText();
                int equals = text.indexOf('=');
                if (equals > 0) {
                    env.put(text.substring(0, equals), text.substring(equals + 1));
                }
            });
            JsonNode timeout = properties.get("TIMEOUT");
            tests.add(new DiscoveredTest(name, command, properties.containsKey("WORKING_DIRECTORY")
                    ? properties.get("WORKING_DIRECTORY").asText() : null, env,
                    timeout != null && timeout.asDouble() > 0 ? Duration.ofMillis((long) (timeout.asDouble() * 1000))
                            : null, disabled, properties.containsKey("WILL_FAIL")
                    && properties.get("WILL_FAIL").asBoolean(), properties.containsKey("SKIP_RETURN_CODE")
                    ? Integer.valueOf(properties.get("SKIP_RETURN_CODE").asInt()) : null));
        }
        return tests;
    }
}
