package io.parley.runtime.llm.anthropic;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.SseGeneration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Objects;

/**
 * {@link LanguageModel} over Anthropic's Messages API: {@code POST {baseUrl}/v1/messages} with
 * {@code "stream": true}, read as server-sent events as they arrive. See {@link AnthropicMessagesRequest} for
 * the request and {@link AnthropicStreamDecoder} for the stream; threads, cancel and timeouts are
 * {@link SseGeneration}'s.
 *
 * <p>Authentication: {@code x-api-key} with the request's key, else the configured one; plus
 * {@code anthropic-version}. Failures reach {@code Listener.failed} as
 * {@link io.parley.runtime.llm.sse.LanguageModelException}, with the HTTP status, the error type and message
 * and the {@code request-id}.
 */
public final class AnthropicLanguageModel implements LanguageModel, AutoCloseable {

    public static final String ID = "anthropic";

    private final AnthropicConfig config;
    private final HttpClient client;
    private final boolean ownsClient;
    private final URI endpoint;

    /** With its own {@link HttpClient} (closed by {@link #close()}). */
    public AnthropicLanguageModel(AnthropicConfig config) {
        this(config, HttpClient.newBuilder().connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build(), true);
    }

    /** With a shared {@link HttpClient}; its connect timeout applies, not the config's. */
    public AnthropicLanguageModel(AnthropicConfig config, HttpClient client) {
        this(config, client, false);
    }

    private AnthropicLanguageModel(AnthropicConfig config, HttpClient client, boolean ownsClient) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.endpoint = config.messagesUri();
    }

    @Override
    public String id() {
        return ID;
    }

    public AnthropicConfig config() {
        return config;
    }

    @Override
    public Generation generate(Request request, Listener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        HttpRequest http;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                    .POST(HttpRequest.BodyPublishers.ofString(AnthropicMessagesRequest.body(config, request)))
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream")
                    .header("anthropic-version", config.version());
            if ("http".equalsIgnoreCase(endpoint.getScheme())) {
                builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with local servers
            }
            String key = request.apiKey() != null && !request.apiKey().isBlank() ? request.apiKey() : config.apiKey();
            if (key != null && !key.isBlank()) {
                builder.header("x-api-key", key.strip());
            }
            for (Map.Entry<String, String> header : config.headers().entrySet()) {
                builder.header(header.getKey(), header.getValue());
            }
            http = builder.build();
        } catch (IllegalArgumentException e) {
            return SseGeneration.failed(ID, e, listener);
        }
        return SseGeneration.start(ID, client, http, config.connectTimeout(), config.idleTimeout(), new AnthropicStreamDecoder(), listener);
    }

    /** Closes the client this adapter created (aborting calls in flight); a shared one is left alone. */
    @Override
    public void close() {
        if (ownsClient) {
            client.shutdownNow();
        }
    }
}
