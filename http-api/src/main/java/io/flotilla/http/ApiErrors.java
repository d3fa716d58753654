package io.flotilla.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the API answers is JSON, {@code {"error": "...", "field": "..."}}, with the status that says what
 * went wrong. This class turns rejections (no such route, wrong method, a body too large) and exceptions into such
 * answers, so that a client never sees a stack trace or a plain-text error page.
 */
public final class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    /** An error answer; {@code field} names the part of the request at fault, or is null. */
    /**
     * 503 with {@code Retry-After: 1}: a singleton (the scheduler, the CI inbox) did not answer in time, as it does
     * while it moves to another node, so the client is to try again shortly.
     */
    static HttpResponse unavailable(String message) {
        return response(StatusCodes.SERVICE_UNAVAILABLE, message, null).addHeader(RawHeader.create("Retry-After",
                "1"));
    }

    public static HttpResponse response(StatusCode status, String message, String field) {
        ObjectNode body = ApiJson.MAPPER.createObjectNode().put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return ApiJson.response(status, body);
    }

    /** Pekko HTTP's rejection answers, with their status and text kept, as JSON. */
    static RejectionHandler rejections() {
        return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
            if (response.entity() instanceof HttpEntity.Strict strict
                    && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
                return response(response.status(), strict.getData().utf8String(), null);
            }
            return response;
        });
    }

    /**
     * Anything a route throws: logged here with its stack trace, answered with a one-line JSON error that names no
     * part of the server's code (that is for its log, not for whoever sent the request).
     */
    static ExceptionHandler exceptions() {
        return ExceptionHandler.newBuilder().matchAny(error -> {
            log.error("request failed", error);
            return Directives.complete(response(StatusCodes.INTERNAL_SERVER_ERROR,
                    "internal error: the request failed on this node, whose log says why", null));
        }).build();
    }
}
