package io.parley.runtime.speech.openai;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach OpenAI's speech endpoint. Null arguments take the defaults below; {@link
 * #defaults(String)} is the usual start.
 *
 * @param baseUrl        {@code https://api.openai.com} (tests: {@code http://127.0.0.1:port})
 * @param apiKey         the key used when a voice's {@code apiKey()} is null or blank; may be null
 * @param model          {@code gpt-4o-mini-tts} (or {@code tts-1}, {@code tts-1-hd}); a voice's {@code model} setting overrides it
 * @param defaultVoice   used when a voice names none: {@code alloy}
 * @param connectTimeout time allowed to open the connection: 5 s
 * @param idleTimeout    the longest wait for the response's headers and then for each piece of audio: 10 s
 */
public record OpenAiTtsConfig(URI baseUrl, String apiKey, String model, String defaultVoice, Duration connectTimeout,
                              Duration idleTimeout) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com");

    public OpenAiTtsConfig {
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl;
        model = model == null || model.isBlank() ? "gpt-4o-mini-tts" : model;
        defaultVoice = defaultVoice == null || defaultVoice.isBlank() ? "alloy" : defaultVoice;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(10) : idleTimeout;
        if (!"https".equalsIgnoreCase(baseUrl.getScheme()) && !"http".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException("OpenAI's base URL must be http:// or https://, not " + baseUrl);
        }
        if (!connectTimeout.isPositive() || !idleTimeout.isPositive()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** OpenAI's endpoint and the defaults above, with {@code apiKey} as the default key. */
    public static OpenAiTtsConfig defaults(String apiKey) {
        return new OpenAiTtsConfig(null, apiKey, null, null, null, null);
    }

    public OpenAiTtsConfig withBaseUrl(URI url) {
        return new OpenAiTtsConfig(url, apiKey, model, defaultVoice, connectTimeout, idleTimeout);
    }

    public OpenAiTtsConfig withTimeouts(Duration connect, Duration idle) {
        return new OpenAiTtsConfig(baseUrl, apiKey, model, defaultVoice, connect, idle);
    }
}
