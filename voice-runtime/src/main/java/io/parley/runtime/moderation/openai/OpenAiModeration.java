package io.parley.runtime.moderation.openai;

import io.parley.runtime.moderation.Moderation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI's moderation ({@code openai}): {@code POST {baseUrl}/v1/moderations} with a bearer key and
 * {@code {"model", "input"}}; the sentence is flagged when {@code results[0].flagged} is true, for the categories
 * that are true in {@code results[0].categories}. An error response, a timeout or an answer without results
 * completes the check exceptionally with a {@link ModerationException}.
 */
public final class OpenAiModeration implements Moderation, AutoCloseable {

    public static final String ID = "openai";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiModerationConfig config;
    private final ExecutorService executor;
    private final HttpClient client;
    private final URI endpoint;

    public OpenAiModeration(OpenAiModerationConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("moderation-openai-io-", 0).factory());
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(config.connectTimeout()).build();
        this.endpoint = URI.create(config.baseUrl().toString().replaceAll("/+$", "") + "/v1/moderations");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public CompletableFuture<Verdict> check(String text) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Authorization", "Bearer " + config.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("model", config.model(), "input", text)),
                        StandardCharsets.UTF_8))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, error) -> {
                    if (error != null) {
                        throw new ModerationException("OpenAI moderation could not be asked: " + error, -1, error);
                    }
                    return verdict(response.statusCode(), response.body());
                });
    }

    static Verdict verdict(int status, String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body == null ? "" : body);
        } catch (RuntimeException e) {
            throw new ModerationException("OpenAI moderation answered " + status + " with a body that is not JSON", status, e);
        }
        if (status / 100 != 2) {
            String message = json == null ? "" : json.path("error").path("message").asString("");
            throw new ModerationException("OpenAI moderation answered " + status + (message.isEmpty() ? "" : ": " + message), status, null);
        }
        JsonNode result = json == null ? null : json.path("results").path(0);
        if (result == null || !result.isObject() || !result.path("flagged").isBoolean()) {
            throw new ModerationException("OpenAI moderation answered without a result", status, null);
        }
        List<String> categories = new ArrayList<>();
        for (Map.Entry<String, JsonNode> category : result.path("categories").properties()) {
            if (category.getValue().asBoolean(false)) categories.add(category.getKey());
        }
        boolean flagged = result.path("flagged").asBoolean();
        return new Verdict(flagged, flagged ? categories : List.of());
    }

    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }

    /** Why a moderation check failed: an error response ({@link #httpStatus()}), or a timeout or I/O failure (-1). */
    public static final class ModerationException extends RuntimeException {
        private final int httpStatus;

        ModerationException(String message, int httpStatus, Throwable cause) {
            super(message, cause);
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }
}
