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

/**
 * A forge's API on loopback, over real HTTP: it records every request, and answers each with the next scripted
 * answer (then 201).
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
    record Answer(int status, String body, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final List<Call> calls = new ArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();

    public StubForge() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Answer answer;
            synchronized (this) {
                calls.add(new Call(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime()));
                answer = script.isEmpty() ? new Answer(201, "{}", Map.of()) : script.poll();
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

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
