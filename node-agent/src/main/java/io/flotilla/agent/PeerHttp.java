package io.flotilla.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * How a node reads what another node serves over HTTP (layer archives, job output), as a stream; blocking. It is
 * the one HTTP client between nodes, so that on a cluster with TLS every such read checks the serving node's
 * certificate against the cluster's authority.
 */
public final class PeerHttp {
    private final HttpClient http;

    /** @param tls the cluster's TLS context, for {@code https} peers; null on a cluster without TLS */
    public PeerHttp(SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        this.http = (tls == null ? builder : builder.sslContext(tls)).build();
    }

    /** The body of a GET, which the caller closes; an answer other than 200 is an IOException naming it. */
    public InputStream get(String url) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }
}
