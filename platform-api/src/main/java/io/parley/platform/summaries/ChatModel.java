package io.parley.platform.summaries;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat model behind an OpenAI-compatible Chat Completions API ({@code POST {url}/chat/completions}: OpenAI,
 * Azure OpenAI, vLLM, Ollama and others), asked for one JSON object.
 */
final class ChatModel {

    private final URI completions;
    private final String key;
    private final String model;
    private final JsonMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    ChatModel(String url, String key, String model, JsonMapper json) {
        this.completions = URI.create(url.replaceAll("/+$", "") + "/chat/completions");
        this.key = key;
        this.model = model;
        this.json = json;
    }

    /** The model's answer to {@code system} and {@code user}, which must be a JSON object. */
    JsonNode json(String system, String user) {
        String body = json.writeValueAsString(Map.of(
                "model", model,
                "temperature", 0,
                "response_format", Map.of("type", "json_object"),
                "messages", List.of(Map.of("role", "system", "content", system), Map.of("role", "user", "content", user))));
        HttpRequest.Builder request = HttpRequest.newBuilder(completions).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null && !key.isBlank()) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the language model at " + completions + " could not be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            String text = response.body() == null ? "" : response.body();
            throw new IllegalStateException("the language model answered " + response.statusCode() + ": "
                    + (text.length() > 300 ? text.substring(0, 300) : text));
        }
        String content = json.readTree(response.body()).path("choices").path(0).path("message").path("content").asString("");
        JsonNode answer = json.readTree(content.isBlank() ? "{}" : content);
        if (!answer.isObject()) {
            throw new IllegalStateException("the language model's answer is not a JSON object");
        }
        return answer;
    }
}
