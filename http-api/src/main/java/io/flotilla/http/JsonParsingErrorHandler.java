package io.flotilla.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach the routes (a header over the size limit, a broken request line) with the
 * API's JSON error, like every other error, instead of Pekko HTTP's plain text.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
    @Override
    public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
        log.debug("refused a malformed request: {}", info.formatPretty());
        return ApiErrors.response(status, info.summary(), null);
    }
}
