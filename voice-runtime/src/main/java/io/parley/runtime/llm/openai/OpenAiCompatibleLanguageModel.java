package io.parley.runtime.llm.openai;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.SseGeneration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.Objects;

/**
 * {@link LanguageModel} over the OpenAI chat-completions API and the servers that copy it (Groq, Cerebras,
 * vLLM, Ollama, OpenRouter...): {@code POST {baseUrl}/chat/completions} with {@code "stream": true}, read as
 * server-sent events as they arrive. See {@link OpenAiChatRequest} for the request and
 * {@link OpenAiStreamDecoder} for the stream; threads, cancel and timeouts are {@link SseGeneration}'s.
 *
 * <p>Authentication: {@code Authorization: Bearer} with the request's key, else the configured one, else none.
 * Failures reach {@code Listener.failed} as {@link io.parley.runtime.llm.sse.LanguageModelException}, with
 * the HTTP status, the vendor's error type/code/message and its {@code x-request-id}.
 */
public final class OpenAiCompatibleLanguageModel implements LanguageModel, AutoCloseable {

    private final OpenAiCompatibleConfig config;
    private final HttpClient client;
    private final boolean ownsClient;
    private final URI endpoint;

    /** With its own {@link HttpClient} (closed by {@link #close()}). */
    public OpenAiCompatibleLanguageModel(OpenAiCompatibleConfig config) {
        this(config, HttpClient.newBuilder().connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build(), true);
    }

    /** With a shared {@link HttpClient}; its connect timeout applies, not the config's. */
    public OpenAiCompatibleLanguageModel(OpenAiCompatibleConfig config, HttpClient client) {
        this(config, client, false);
    }

    private OpenAiCompatibleLanguageModel(OpenAiCompatibleConfig config, HttpClient client, boolean ownsClient) {
        this.config = Objects.requireNonNull(config, "config");
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.endpoint = config.chatCompletionsUri();
    }

    @Override
    public String id() {
        return config.id();
    }

    public OpenAiCompatibleConfig config() {
        return config;
    }

    @Override
    public Generation generate(Request request, Listener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        HttpRequest http;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                    .POST(HttpRequest.BodyPublishers.ofString(OpenAiChatRequest.body(config, request)))
                    .header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream");
            if ("http".equalsIgnoreCase(endpoint.getScheme())) {
                builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance with local servers
            }
            String key = request.apiKey() != null && !request.apiKey().isBlank() ? request.apiKey() : config.apiKey();
            if (key != null && !key.isBlank()) {
                builder.header("Authorization", "Bearer " + key.strip());
            }
            for (Map.Entry<String, String> header : config.headers().entrySet()) {
                builder.header(header.getKey(), header.getValue());
            }
            http = builder.build();
        } catch (IllegalArgumentException e) {
            return SseGeneration.failed(config.id(), e, listener);
        }
        return SseGeneration.start(config.id(), client, http, config.connectTimeout(), config.idleTimeout(),
                new OpenAiStreamDecoder(config.id()), listener);
    }

    /** Closes the client this adapter created (aborting calls in flight); a shared one is left alone. */
    @Override
    public void close() {
        if (ownsClient) {
            client.shutdownNow();
        }
    }
}
