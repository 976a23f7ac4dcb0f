package io.parley.runtime.llm.sse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A vendor stand-in on 127.0.0.1: records each request and lets the test script the answer, an error
 * document or a server-sent event stream written (and flushed) piece by piece. Knows when the client went
 * away: a write that fails counts down {@link #connectionClosed}.
 */
public final class LoopbackServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Scripts one answer. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** A request as the server saw it. */
    public record RecordedRequest(String method, String path, String query, Headers headers, String body) {

        public String header(String name) {
            return headers.getFirst(name);
        }

        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    public final CountDownLatch connectionClosed = new CountDownLatch(1);
    public final CountDownLatch requestReceived = new CountDownLatch(1);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
    private volatile Handler handler = exchange -> exchange.respond(404, "application/json", "{}", Map.of());

    private LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", http -> {
            try (http) {
                RecordedRequest request = new RecordedRequest(http.getRequestMethod(), http.getRequestURI().getPath(), http.getRequestURI().getQuery(),
                        http.getRequestHeaders(), new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                requests.add(request);
                requestReceived.countDown();
                handler.handle(new Exchange(http, request));
            } catch (IOException e) {
                connectionClosed.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        server.start();
    }

    public static LoopbackServer start() throws IOException {
        return new LoopbackServer();
    }

    public void onRequest(Handler handler) {
        this.handler = handler;
    }

    /** {@code http://127.0.0.1:<port>} followed by {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request reached the server");
        }
        return request;
    }

    public int requestCount() {
        return requests.size();
    }

    /** Kills every open connection at once (no chunked terminator): a dropped connection. */
    public void dropConnections() {
        server.stop(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** One exchange, from the handler's side. */
    public final class Exchange {

        private final HttpExchange http;
        private final RecordedRequest request;
        private OutputStream body;

        Exchange(HttpExchange http, RecordedRequest request) {
            this.http = http;
            this.request = request;
        }

        public RecordedRequest request() {
            return request;
        }

        /** A complete answer, e.g. a vendor's error document. */
        public void respond(int status, String contentType, String document, Map<String, String> headers) throws IOException {
            headers.forEach(http.getResponseHeaders()::add);
            http.getResponseHeaders().add("Content-Type", contentType);
            byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
            http.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                http.getResponseBody().write(bytes);
            }
        }

        /** 200, {@code text/event-stream}, chunked: the body follows piece by piece. */
        public void startEvents(Map<String, String> headers) throws IOException {
            headers.forEach(http.getResponseHeaders()::add);
            http.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
            http.getResponseHeaders().add("Cache-Control", "no-cache");
            http.sendResponseHeaders(200, 0);
            body = http.getResponseBody();
        }

        /** Writes and flushes raw event-stream text. */
        public void send(String raw) throws IOException {
            body.write(raw.getBytes(StandardCharsets.UTF_8));
            body.flush();
        }

        /** {@code data: <data>} and a blank line (OpenAI style). */
        public void data(String data) throws IOException {
            send("data: " + data + "\n\n");
        }

        /** {@code event: <name>}, {@code data: <data>} and a blank line (Anthropic style). */
        public void event(String name, String data) throws IOException {
            send("event: " + name + "\ndata: " + data + "\n\n");
        }

        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }

        /**
         * Keeps writing {@code raw} every {@code every} until a write fails (the client closed the connection)
         * or {@code max} has passed; returns whether the client went away.
         */
        public boolean sendUntilClosed(String raw, Duration every, Duration max) throws InterruptedException {
            long deadline = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    send(raw);
                } catch (IOException e) {
                    connectionClosed.countDown();
                    return true;
                }
                Thread.sleep(every);
            }
            return false;
        }
    }
}
