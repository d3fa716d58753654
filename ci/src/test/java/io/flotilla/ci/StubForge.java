package io.flotilla.ci;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A forge's API on loopback, over real HTTP: it records every request, and answers each with the next scripted
 * answer, else as the first route for its method and path says, else 201.
 */
public final class StubForge implements AutoCloseable {
    /** A request as it arrived, at {@code atNanos} of {@link System#nanoTime()}. */
    public record Call(String method, String path, Map<String, List<String>> headers, String body, long atNanos) {
        public String header(String name) {
            return headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase(name))
                    .map(h -> h.getValue().get(0)).findFirst().orElse("");
        }
    }

    /** An answer to give: status, body and headers. */
    public record Answer(int status, String body, Map<String, String> headers) {
    }

    /** Answers the requests of this method whose path has this part. */
    private record Route(String method, String pathPart, Function<Call, Answer> answer) {
    }

    private final HttpServer server;
    private final List<Call> calls = new ArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private final List<Route> routes = new ArrayList<>();

    public StubForge() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime());
            Answer answer;
            synchronized (this) {
                calls.add(call);
                answer = !script.isEmpty() ? script.poll() : routes.stream().filter(route -> route.method()
                                .equals(call.method()) && call.path().contains(route.pathPart())).findFirst()
                        .map(route -> route.answer().apply(call)).orElse(new Answer(201, "{}", Map.of()));
            }
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized void answerNext(int status, String body, Map<String, String> headers) {
        script.add(new Answer(status, body, headers));
    }

    /** Answers each later request of {@code method} whose path has {@code pathPart} in it as told. */
    public synchronized void route(String method, String pathPart, Function<Call, Answer> answer) {
        routes.add(new Route(method, pathPart, answer));
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
