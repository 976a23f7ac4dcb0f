package io.parley.runtime.speech.elevenlabs;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach ElevenLabs' streaming text-to-speech. Null arguments take the defaults below;
 * {@link #defaults(String)} is the usual start.
 *
 * @param baseUrl                  {@code https://api.elevenlabs.io} (tests: {@code http://127.0.0.1:port})
 * @param apiKey                   the key used when a voice's {@code apiKey()} is null or blank; may be null
 * @param model                    {@code eleven_flash_v2_5}; a voice's {@code model_id} setting overrides it
 * @param defaultVoiceId           used when a voice names none: {@code 21m00Tcm4TlvDq8ikWAM} (the premade "Rachel")
 * @param optimizeStreamingLatency the {@code optimize_streaming_latency} query parameter, 0 to 4: 3
 * @param connectTimeout           time allowed to open the connection: 5 s
 * @param idleTimeout              the longest wait for the response's headers and then for each piece of audio: 10 s
 */
public record ElevenLabsConfig(URI baseUrl, String apiKey, String model, String defaultVoiceId, Integer optimizeStreamingLatency,
                               Duration connectTimeout, Duration idleTimeout) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.elevenlabs.io");

    public ElevenLabsConfig {
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl;
        model = model == null || model.isBlank() ? "eleven_flash_v2_5" : model;
        defaultVoiceId = defaultVoiceId == null || defaultVoiceId.isBlank() ? "21m00Tcm4TlvDq8ikWAM" : defaultVoiceId;
        optimizeStreamingLatency = optimizeStreamingLatency == null ? 3 : optimizeStreamingLatency;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(10) : idleTimeout;
        if (!"https".equalsIgnoreCase(baseUrl.getScheme()) && !"http".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException("ElevenLabs' base URL must be http:// or https://, not " + baseUrl);
        }
        if (optimizeStreamingLatency < 0 || optimizeStreamingLatency > 4) {
            throw new IllegalArgumentException("optimizeStreamingLatency must be 0 to 4");
        }
        if (!connectTimeout.isPositive() || !idleTimeout.isPositive()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** ElevenLabs' endpoint and the defaults above, with {@code apiKey} as the default key. */
    public static ElevenLabsConfig defaults(String apiKey) {
        return new ElevenLabsConfig(null, apiKey, null, null, null, null, null);
    }

    public ElevenLabsConfig withBaseUrl(URI url) {
        return new ElevenLabsConfig(url, apiKey, model, defaultVoiceId, optimizeStreamingLatency, connectTimeout, idleTimeout);
    }

    public ElevenLabsConfig withTimeouts(Duration connect, Duration idle) {
        return new ElevenLabsConfig(baseUrl, apiKey, model, defaultVoiceId, optimizeStreamingLatency, connect, idle);
    }
}
