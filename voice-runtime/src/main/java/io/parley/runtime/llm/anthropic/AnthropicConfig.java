package io.parley.runtime.llm.anthropic;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of an {@link AnthropicLanguageModel}; {@code null} means the default. A plain record: a
 * {@code @ConfigurationProperties} binding can wrap it later.
 *
 * @param baseUrl         the API root (default {@code https://api.anthropic.com}); the adapter posts to
 *                        {@code {baseUrl}/v1/messages}
 * @param apiKey          the {@code x-api-key} used when a request brings none; {@code null}: none is sent
 * @param defaultModel    the model used when a request names none; {@code null}: requests must name one
 * @param connectTimeout  TCP/TLS connect timeout (default 5 s)
 * @param idleTimeout     longest silence tolerated from the server, before the response headers and between
 *                        two reads of the stream (default 20 s); a stalled stream fails
 * @param maxTokens       {@code max_tokens}, which the API requires (default 1024)
 * @param version         the {@code anthropic-version} header (default {@code 2023-06-01})
 * @param openingUserTurn the user text put first when the conversation does not start with the caller
 *                        (the API requires a user message first; a call starts with the persona's greeting)
 * @param headers         extra request headers (e.g. {@code anthropic-beta})
 */
public record AnthropicConfig(URI baseUrl, String apiKey, String defaultModel, Duration connectTimeout, Duration idleTimeout,
                              Integer maxTokens, String version, String openingUserTurn, Map<String, String> headers) {

    public static final URI ANTHROPIC = URI.create("https://api.anthropic.com");
    public static final String DEFAULT_VERSION = "2023-06-01";
    public static final int DEFAULT_MAX_TOKENS = 1024;
    public static final String DEFAULT_OPENING_USER_TURN = "(The call has connected.)";

    public AnthropicConfig {
        baseUrl = baseUrl == null ? ANTHROPIC : baseUrl;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(20) : idleTimeout;
        maxTokens = maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
        version = version == null || version.isBlank() ? DEFAULT_VERSION : version;
        openingUserTurn = openingUserTurn == null || openingUserTurn.isBlank() ? DEFAULT_OPENING_USER_TURN : openingUserTurn;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        if (!"http".equalsIgnoreCase(baseUrl.getScheme()) && !"https".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be http or https: " + baseUrl);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be positive");
        }
    }

    /** Anthropic with this key, defaults for the rest. */
    public static AnthropicConfig of(String apiKey) {
        return new AnthropicConfig(null, apiKey, null, null, null, null, null, null, null);
    }

    public AnthropicConfig withBaseUrl(URI url) {
        return new AnthropicConfig(url, apiKey, defaultModel, connectTimeout, idleTimeout, maxTokens, version, openingUserTurn, headers);
    }

    public AnthropicConfig withTimeouts(Duration connect, Duration idle) {
        return new AnthropicConfig(baseUrl, apiKey, defaultModel, connect, idle, maxTokens, version, openingUserTurn, headers);
    }

    public AnthropicConfig withDefaultModel(String model) {
        return new AnthropicConfig(baseUrl, apiKey, model, connectTimeout, idleTimeout, maxTokens, version, openingUserTurn, headers);
    }

    public AnthropicConfig withMaxTokens(Integer max) {
        return new AnthropicConfig(baseUrl, apiKey, defaultModel, connectTimeout, idleTimeout, max, version, openingUserTurn, headers);
    }

    public AnthropicConfig withHeaders(Map<String, String> extra) {
        return new AnthropicConfig(baseUrl, apiKey, defaultModel, connectTimeout, idleTimeout, maxTokens, version, openingUserTurn, extra);
    }

    /** {@code {baseUrl}/v1/messages}, keeping any path prefix. */
    public URI messagesUri() {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/v1/messages");
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "AnthropicConfig[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "none" : "***")
                + ", defaultModel=" + defaultModel + ", connectTimeout=" + connectTimeout + ", idleTimeout=" + idleTimeout
                + ", maxTokens=" + maxTokens + ", version=" + version + ", headers=" + headers.keySet() + "]";
    }
}
