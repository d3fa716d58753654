package io.flotilla.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.flotilla.protocol.job.InvalidSpecException;
import io.flotilla.protocol.run.RunSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The body of {@code POST /v1/runs} turned into the run it asks for, or into the answer that refuses it: 400 for
 * what is not the API's JSON (malformed, not UTF-8, a field twice, a wrong type), 422 for a run that cannot be, 403
 * for what the caller may not ask for. It is pure, so each rule is a unit test and the route only sends and answers.
 */
final class RunSubmission {
    /** What a body comes to. */
    sealed interface Outcome {
    }

    /** A run to submit; {@code namedItsRunId} when the body gave the id, rather than the key or the server. */
    record Parsed(RunSpec spec, boolean namedItsRunId) implements Outcome {
    }

    /** The request is refused with this status and JSON error; {@code field} may be null. */
    record Refused(StatusCode status, String message, String field) implements Outcome {
    }

    private RunSubmission() {
    }

    /**
     * @param idempotencyKey the client's key: the same key from the same user names the same run
     * @param newRunId the id to use when the body names none and there is no key
     * @param randomSeed the seed of a repeat or batch that names none
     */
    static Outcome parse(byte[] body, Caller caller, Optional<String> idempotencyKey, SubmitRules rules,
                         String newRunId, long randomSeed) {
        SubmitRequest request;
        try {
            request = ApiJson.MAPPER.readValue(body, SubmitRequest.class);
        } catch (JsonProcessingException e) {
            ApiJson.BadRequest bad = ApiJson.badRequest(e);
            return new Refused(StatusCodes.BAD_REQUEST, bad.message(), bad.field());
        } catch (IOException e) {
            return new Refused(StatusCodes.BAD_REQUEST, "the body could not be read: " + e.getMessage(), null);
        }
        if (request == null) {
            return new Refused(StatusCodes.BAD_REQUEST, "the body is JSON null, not a run", null);
        }
        try {
            String id = idempotencyKey.map(key -> runIdFor(caller, key)).orElse(newRunId);
            return new Parsed(request.toRunSpec(id, caller.user(), randomSeed, rules), request.runId() != null);
        } catch (InvalidSpecException e) {
            return new Refused(StatusCodes.UNPROCESSABLE_ENTITY, e.getMessage(), e.field());
        } catch (NotAllowedException e) {
            return new Refused(StatusCodes.FORBIDDEN, e.getMessage(), e.field());
        }
    }

    /** The same key from the same user names the same run, so a retried submission is the same submission. */
    private static String runIdFor(Caller caller, String idempotencyKey) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((caller.user() + "\n" + idempotencyKey)
                    .getBytes(StandardCharsets.UTF_8));
            return "k-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
