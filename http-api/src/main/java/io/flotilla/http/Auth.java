package io.flotilla.http;

import java.net.InetAddress;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who may call the API. With a tokens file, every request needs {@code Authorization: Bearer TOKEN}, and the token's
 * role must allow the request (reading, or also submitting and cancelling). Without one, the node trusts only
 * clients on its own machine: anyone else gets 403.
 */
final class Auth extends AllDirectives {
    private final Optional<Tokens> tokens;

    Auth(Optional<Tokens> tokens) {
        this.tokens = tokens;
    }

    /** Runs {@code inner} for a caller whose role allows {@code needed}; answers 401 or 403 otherwise. */
    Route require(Caller.Role needed, Function<Caller, Route> inner) {
        if (tokens.isEmpty()) {
            // The connection's own address, never X-Forwarded-For or X-Real-IP, which any client can write.
            return extractRequest(request -> {
                boolean local = request.getAttribute(AttributeKeys.remoteAddress)
                        .flatMap(RemoteAddress::getAddress).map(InetAddress::isLoopbackAddress).orElse(false);
                return local ? inner.apply(Caller.LOCAL) : complete(ApiErrors.response(StatusCodes.FORBIDDEN,
                        "this node accepts only clients on its own machine until it is given a tokens file "
                                + "(flotilla.http.tokens-file)", null));
            });
        }
        return optionalHeaderValueByName("Authorization", header -> {
            Optional<Caller> caller = header.filter(value -> value.startsWith("Bearer "))
                    .flatMap(value -> tokens.get().caller(value.substring("Bearer ".length()).trim()));
            if (caller.isEmpty()) {
                HttpResponse unauthorized = ApiErrors.response(StatusCodes.UNAUTHORIZED, header.isEmpty()
                        ? "this request needs an Authorization: Bearer token" : "the bearer token is not valid",
                        "Authorization");
                return complete(unauthorized.addHeader(RawHeader.create("WWW-Authenticate", "Bearer")));
            }
            if (!caller.get().role().allows(needed)) {
                return complete(ApiErrors.response(StatusCodes.FORBIDDEN, "user " + caller.get().user() + " may only "
                        + caller.get().role().name().toLowerCase() + ", and this request needs "
                        + needed.name().toLowerCase(), null));
            }
            return inner.apply(caller.get());
        });
    }
}
