package io.parley.runtime.llm.openai;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of an {@link OpenAiCompatibleLanguageModel}; {@code null} means the default. A plain record: a
 * {@code @ConfigurationProperties} binding can wrap it later.
 *
 * <p>Base URLs: OpenAI {@code https://api.openai.com/v1} (default), Groq {@code https://api.groq.com/openai/v1},
 * Cerebras {@code https://api.cerebras.ai/v1}, vLLM {@code http://host:8000/v1}, Ollama {@code http://host:11434/v1}.
 * The adapter posts to {@code {baseUrl}/chat/completions}.
 *
 * @param id             the provider id personas name ({@code openai}); give Groq & co their own
 *                       ({@code groq}) to run several side by side
 * @param baseUrl        the API root, path prefix included, with or without a trailing slash
 * @param apiKey         the key used when a request brings none; {@code null} or blank sends no
 *                       {@code Authorization} header (a local vLLM or Ollama)
 * @param defaultModel   the model used when a request names none; {@code null}: requests must name one
 * @param connectTimeout TCP/TLS connect timeout (default 5 s)
 * @param idleTimeout    longest silence tolerated from the server, before the response headers and between
 *                       two reads of the stream (default 20 s); a stalled stream fails
 * @param maxTokens      sent as {@code max_tokens} when set; {@code null} (default) leaves it to the server
 * @param headers        extra request headers (e.g. OpenRouter's {@code HTTP-Referer}, an {@code OpenAI-Organization})
 */
public record OpenAiCompatibleConfig(String id, URI baseUrl, String apiKey, String defaultModel, Duration connectTimeout,
                                     Duration idleTimeout, Integer maxTokens, Map<String, String> headers) {

    public static final String DEFAULT_ID = "openai";
    public static final URI OPENAI = URI.create("https://api.openai.com/v1");

    public OpenAiCompatibleConfig {
        id = id == null || id.isBlank() ? DEFAULT_ID : id;
        baseUrl = baseUrl == null ? OPENAI : baseUrl;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(20) : idleTimeout;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (!"http".equalsIgnoreCase(baseUrl.getScheme()) && !"https".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be http or https: " + baseUrl);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive");
        }
    }

    /** OpenAI itself with this key, defaults for the rest. */
    public static OpenAiCompatibleConfig openAi(String apiKey) {
        return new OpenAiCompatibleConfig(null, null, apiKey, null, null, null, null, null);
    }

    /** Any compatible server: {@code id}, its base URL and key ({@code null} for none), defaults for the rest. */
    public static OpenAiCompatibleConfig compatible(String id, URI baseUrl, String apiKey) {
        return new OpenAiCompatibleConfig(id, baseUrl, apiKey, null, null, null, null, null);
    }

    public OpenAiCompatibleConfig withTimeouts(Duration connect, Duration idle) {
        return new OpenAiCompatibleConfig(id, baseUrl, apiKey, defaultModel, connect, idle, maxTokens, headers);
    }

    public OpenAiCompatibleConfig withDefaultModel(String model) {
        return new OpenAiCompatibleConfig(id, baseUrl, apiKey, model, connectTimeout, idleTimeout, maxTokens, headers);
    }

    public OpenAiCompatibleConfig withMaxTokens(Integer max) {
        return new OpenAiCompatibleConfig(id, baseUrl, apiKey, defaultModel, connectTimeout, idleTimeout, max, headers);
    }

    public OpenAiCompatibleConfig withHeaders(Map<String, String> extra) {
        return new OpenAiCompatibleConfig(id, baseUrl, apiKey, defaultModel, connectTimeout, idleTimeout, maxTokens, extra);
    }

    /** {@code {baseUrl}/chat/completions}, keeping any path prefix. */
    public URI chatCompletionsUri() {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/chat/completions");
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "OpenAiCompatibleConfig[id=" + id + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "none" : "***")
                + ", defaultModel=" + defaultModel + ", connectTimeout=" + connectTimeout + ", idleTimeout=" + idleTimeout
                + ", maxTokens=" + maxTokens + ", headers=" + headers.keySet() + "]";
    }
}
