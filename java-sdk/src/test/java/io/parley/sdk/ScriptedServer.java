package io.parley.sdk;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that answers each request with the next scripted reply and records what it received.
 * An unscripted request answers 418 (which the SDK never retries), so a test that sends more than it scripted fails.
 */
final class ScriptedServer implements AutoCloseable {

  /** What the server received. */
  record Received(String method, String path, String query, Headers headers, String body) {
    String header(String name) {
      return headers.getFirst(name);
    }

    /** Decoded query parameters, in order. */
    Map<String, String> params() {
      Map<String, String> params = new LinkedHashMap<>();
      if (query != null) {
        for (String pair : query.split("&")) {
          int eq = pair.indexOf('=');
          params.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      return params;
    }
  }

  @FunctionalInterface
  interface Reply {
    void answer(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final Deque<Reply> replies = new ConcurrentLinkedDeque<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  ScriptedServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body));
      Reply reply = replies.poll();
      if (reply == null) {
        reply = json(418, "{\"type\":\"https://example.test/unscripted\",\"title\":\"unscripted request\",\"status\":418}");
      }
      reply.answer(exchange);
    });
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  ScriptedServer then(Reply... next) {
    replies.addAll(List.of(next));
    return this;
  }

  List<Received> received() {
    return new ArrayList<>(received);
  }

  /** A client for this server whose retries record their waits instead of sleeping. */
  Parley.Builder client(List<Duration> sleeps) {
    return Parley.builder().apiKey("sk_test_abc123").baseUrl(baseUrl()).sleeper(sleeps::add);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  static Reply json(int status, String body, String... headerPairs) {
    return respond(status, "application/json", body, headerPairs);
  }

  static Reply problem(int status, String body, String... headerPairs) {
    return respond(status, "application/problem+json", body, headerPairs);
  }

  static Reply empty(int status, String... headerPairs) {
    return exchange -> {
      addHeaders(exchange, headerPairs);
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    };
  }

  /** Closes the connection without answering. */
  static Reply drop() {
    return HttpExchange::close;
  }

  private static Reply respond(int status, String contentType, String body, String... headerPairs) {
    return exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      addHeaders(exchange, headerPairs);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    };
  }

  private static void addHeaders(HttpExchange exchange, String... headerPairs) {
    for (int i = 0; i < headerPairs.length; i += 2) {
      exchange.getResponseHeaders().add(headerPairs[i], headerPairs[i + 1]);
    }
  }
}
