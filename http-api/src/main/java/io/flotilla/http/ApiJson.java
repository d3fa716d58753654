package io.flotilla.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.protocol.SchedulerProtocol;
import io.flotilla.protocol.job.JobResult;
import io.flotilla.protocol.run.RunSummary;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;

/**
 * The API's JSON: strict when reading (an unknown field, a field given twice, a string for a number, a fraction for
 * a count or bytes that are not UTF-8 is an error naming the field), and the views of runs, jobs and results when
 * writing. Its error messages speak JSON, never Java: no class name of the server's reaches a client.
 */
final class ApiJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    private static final Pattern QUOTED_NAME = Pattern.compile("`([^`]*)`");
    private static final Pattern PARENTHESIS_WITH_NAME = Pattern.compile("\\s*\\([^()]*`[^()]*\\)");

    private ApiJson() {
    }

    /** A body that is not what the API reads, as a message naming where it went wrong. */
    static BadRequest badRequest(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamReadException syntax) {
                JsonLocation where = syntax.getLocation();
                return new BadRequest("malformed JSON" + (where == null ? "" : " at line " + where.getLineNr()
                        + ", column " + where.getColumnNr()) + ": " + inJsonTerms(syntax.getOriginalMessage()), null);
            }
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return new BadRequest("unknown field '" + unknown.getPropertyName() + "'", path(unknown));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            String expected = describe(mismatch.getTargetType());
            return mismatch.getPath().isEmpty()
                    ? new BadRequest("the body must be " + expected + " describing the request", null)
                    : new BadRequest("wrong type for " + path(mismatch) + ": expected " + expected, path(mismatch));
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return new BadRequest("wrong type for " + path(mapping) + ": " + inJsonTerms(mapping.getOriginalMessage()),
                    path(mapping));
        }
        return new BadRequest("malformed JSON: " + inJsonTerms(e.getOriginalMessage()), null);
    }

    /** A request body the API cannot read; {@code field} is null when the body as a whole is at fault. */
    record BadRequest(String message, String field) {
    }

    /** A parser's message with every Java name in it said as the JSON it stands for, or left out. */
    static String inJsonTerms(String message) {
        String plain = PARENTHESIS_WITH_NAME.matcher(message.replaceAll(" at \\[Source.*", "")).replaceAll("");
        Matcher names = QUOTED_NAME.matcher(plain);
        StringBuilder out = new StringBuilder();
        while (names.find()) {
            names.appendReplacement(out, Matcher.quoteReplacement(describe(names.group(1))));
        }
        return names.appendTail(out).toString().trim();
    }

    private static String describe(Class<?> type) {
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return describe(type.getName());
    }

    private static String describe(String javaName) {
        return switch (javaName.replaceFirst("^java\\.lang\\.", "")) {
            case "Integer", "int", "Long", "long", "Short", "short" -> "a whole number";
            case "Double", "double", "Float", "float" -> "a number";
            case "String" -> "a string";
            case "Boolean", "boolean" -> "true or false";
            case "java.util.List", "java.util.ArrayList", "java.util.Collection" -> "an array";
            default -> "a JSON object";
        };
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference step : e.getPath()) {
            if (step.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(step.getFieldName());
            } else {
                path.append('[').append(step.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static HttpResponse response(StatusCode status, Object body) {
        return HttpResponse.create().withStatus(status)
                .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
    }

    /** A run's state and counts; a suite's run says while it is listing, and why it failed as a whole. */
    static ObjectNode run(RunSummary summary) {
        String state = !summary.finished() ? "running" : summary.cancelRequested() ? "cancelled"
                : summary.failed() > 0 ? "failed" : "passed";
        ObjectNode node = MAPPER.createObjectNode().put("runId", summary.runId()).put("user", summary.user())
                .put("state", state).put("total", summary.total()).put("pending", summary.pending())
                .put("running", summary.running()).put("passed", summary.passed()).put("failed", summary.failed())
                .put("cancelled", summary.cancelled());
        if (summary.listing()) {
            node.put("listing", true);
        }
        if (!summary.error().isEmpty()) {
            node.put("error", summary.error());
        }
        if (!summary.disabledTests().isEmpty()) {
            summary.disabledTests().forEach(node.putArray("disabledTests")::add);
        }
        return node;
    }

    static ObjectNode job(SchedulerProtocol.JobView job) {
        ObjectNode node = MAPPER.createObjectNode().put("job", job.job())
                .put("state", job.status().name().toLowerCase(Locale.ROOT)).put("attempts", job.attempts());
        if (job.result() != null) {
            node.set("result", result(job.result()));
        }
        if (!job.outputTail().isEmpty()) {
            node.put("output", job.outputTail());
        }
        if (!job.tests().isEmpty()) {
            job.tests().forEach(node.putArray("tests")::add);
        }
        if (!job.earlierAttempts().isEmpty()) {
            ArrayNode earlier = node.putArray("earlierAttempts");
            job.earlierAttempts().forEach(attempt -> earlier.addObject().put("attempt", attempt.attempt())
                    .set("result", result(attempt.result())));
        }
        return node;
    }

    static ObjectNode result(JobResult result) {
        ObjectNode node = MAPPER.createObjectNode().put("outcome", result.outcome().name().toLowerCase(Locale.ROOT))
                .put("exitCode", result.exitCode()).put("signal", result.signal())
                .put("wallMillis", result.wallTime().toMillis()).put("cpuMillis", result.cpuTime().toMillis())
                .put("maxRssBytes", result.maxRssBytes())
                .put("stdoutBytes", result.stdout().bytes()).put("stderrBytes", result.stderr().bytes());
        if (!result.message().isEmpty()) {
            node.put("message", result.message());
        }
        return node;
    }
}
