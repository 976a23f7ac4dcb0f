package io.parley.runtime.moderation.openai;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach OpenAI's moderation endpoint. Null arguments take the defaults below.
 *
 * @param baseUrl        {@code https://api.openai.com} (or any server with the same API; tests: {@code http://127.0.0.1:port})
 * @param apiKey         the bearer key; required
 * @param model          {@code omni-moderation-latest}
 * @param connectTimeout time allowed to open the connection: 2 s
 * @param timeout        the longest wait for a verdict: 1 s (a sentence waits for it before it is spoken)
 */
public record OpenAiModerationConfig(URI baseUrl, String apiKey, String model, Duration connectTimeout, Duration timeout) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com");

    public OpenAiModerationConfig {
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl;
        model = model == null || model.isBlank() ? "omni-moderation-latest" : model;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
        timeout = timeout == null ? Duration.ofSeconds(1) : timeout;
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("OpenAI moderation needs an API key");
        }
        if (!"https".equalsIgnoreCase(baseUrl.getScheme()) && !"http".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException("OpenAI's base URL must be http:// or https://, not " + baseUrl);
        }
        if (!connectTimeout.isPositive() || !timeout.isPositive()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }
}
