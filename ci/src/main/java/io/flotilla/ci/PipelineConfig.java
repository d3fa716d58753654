package io.flotilla.ci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A commit's {@code .flotilla.yml}: the suites it runs, each written as {@code flotilla test} takes it (see
 * {@code docs/ci.md}). Each becomes the body of {@code POST /v1/runs}, with the checkout mounted read-only at
 * {@value #CHECKOUT_DIR} and the working directory there, so that a suite is checked by the very rules a submission
 * over the API is; this class checks only the file's shape and the suites' names.
 */
public final class PipelineConfig {
    /** Where the repository's file lies in a commit. */
    public static final String FILE = ".flotilla.yml";
    /** Where a suite's container sees the checkout. */
    public static final String CHECKOUT_DIR = "/src";
    /** The most suites one commit runs. */
    static final int MAX_SUITES = 32;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Set<String> RUN_FIELDS = Set.of("retries", "priority", "maxParallel");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private PipelineConfig() {
    }

    /** Why a commit's file cannot be used; the message is the commit's error status. */
    public static final class InvalidConfigException extends Exception {
        InvalidConfigException(String message) {
            super(FILE + ": " + message);
        }
    }

    /**
     * The suites the file names, as runs of the commit with key {@code commitKey} whose checkout is {@code layer}.
     *
     * @param fromFork the commit is a fork's: its jobs get no network, whatever the file asks
     */
    public static List<CommitSuite> suites(byte[] file, String commitKey, String layer, boolean fromFork)
            throws InvalidConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(file);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException("not YAML: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException("is not a mapping with 'suites'");
        }
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("suites")) {
                throw new InvalidConfigException("unknown key '" + key + "'; the file has only 'suites'");
            }
        }
        JsonNode suites = root.path("suites");
        if (!suites.isArray() || suites.isEmpty() || suites.size() > MAX_SUITES) {
            throw new InvalidConfigException("'suites' must be a list of 1 to " + MAX_SUITES + " suites");
        }
        List<CommitSuite> planned = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < suites.size(); i++) {
            JsonNode suite = suites.get(i);
            String where = "suites[" + i + "]";
            if (!suite.isObject()) {
                throw new InvalidConfigException(where + " is not a mapping");
            }
            String name = suite.path("name").asText("");
            if (!suite.path("name").isTextual() || !NAME.matcher(name).matches()) {
                throw new InvalidConfigException(where + ".name must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            if (!names.add(name)) {
                throw new InvalidConfigException(where + ".name '" + name + "' is the name of an earlier suite");
            }
            planned.add(new CommitSuite(name, CommitSuite.runIdOf(commitKey, name), layer,
                    body((ObjectNode) suite, where, layer, fromFork).toString()));
        }
        return planned;
    }

    /** The suite as {@code POST /v1/runs} takes it: the run's fields beside {@code suite}, the rest in it. */
    private static ObjectNode body(ObjectNode suite, String where, String layer, boolean fromFork)
            throws InvalidConfigException {
        ObjectNode run = JSON.createObjectNode();
        ObjectNode inner = run.putObject("suite");
        for (Iterator<Map.Entry<String, JsonNode>> fields = suite.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            (RUN_FIELDS.contains(field.getKey()) ? run : inner).set(field.getKey(), field.getValue());
        }
        JsonNode given = inner.path("job");
        if (!given.isMissingNode() && !given.isObject()) {
            throw new InvalidConfigException(where + ".job is not a mapping of container options");
        }
        ObjectNode job = given.isObject() ? (ObjectNode) given : inner.putObject("job");
        JsonNode layers = job.path("layers");
        if (!layers.isMissingNode() && !layers.isArray()) {
            throw new InvalidConfigException(where + ".job.layers is not a list");
        }
        ArrayNode withCheckout = JSON.createArrayNode();
        withCheckout.addObject().put("digest", layer).put("dest", CHECKOUT_DIR);
        layers.forEach(withCheckout::add);
        job.set("layers", withCheckout);
        if (!job.has("workdir")) {
            job.put("workdir", CHECKOUT_DIR);
        }
        if (fromFork) {
            job.put("network", "none");
        }
        return run;
    }
}
