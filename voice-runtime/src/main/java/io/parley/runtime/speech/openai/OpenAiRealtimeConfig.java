package io.parley.runtime.speech.openai;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach OpenAI Realtime ({@code GET {baseUrl}/realtime?model=...} upgraded to a WebSocket). Null
 * arguments take the defaults below; {@link #defaults(String)} is the usual start.
 *
 * @param baseUrl            the API root, as for chat completions: {@code https://api.openai.com/v1} (the socket
 *                           goes to {@code wss://} of it; tests: {@code http://127.0.0.1:port/v1})
 * @param apiKey             the key used when a session's settings bring none; may be null
 * @param model              {@code gpt-realtime}; a session's model overrides it
 * @param voice              {@code marin}; a session's voice overrides it
 * @param transcriptionModel transcribes the caller for our turn-taking and transcript: {@code gpt-4o-mini-transcribe}
 * @param vadThreshold       the server's voice activity threshold, 0 to 1: 0.5
 * @param prefixPadding      audio kept before detected speech: 300 ms
 * @param silenceDuration    silence after which the server reports that speech stopped (and commits it for
 *                           transcription): 300 ms; our engine still decides whether the turn is over
 * @param connectTimeout     time allowed for the WebSocket handshake: 5 s
 * @param idleTimeout        a reply fails (and is cancelled) when the server sends nothing about it for this long: 15 s
 * @param maxQueued          caller audio a session holds while the socket is connecting or slow; beyond it the
 *                           oldest is dropped (and counted): 2 s
 */
public record OpenAiRealtimeConfig(URI baseUrl, String apiKey, String model, String voice, String transcriptionModel,
                                   Double vadThreshold, Duration prefixPadding, Duration silenceDuration,
                                   Duration connectTimeout, Duration idleTimeout, Duration maxQueued) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com/v1");

    public OpenAiRealtimeConfig {
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl;
        model = model == null || model.isBlank() ? "gpt-realtime" : model;
        voice = voice == null || voice.isBlank() ? "marin" : voice;
        transcriptionModel = transcriptionModel == null || transcriptionModel.isBlank() ? "gpt-4o-mini-transcribe" : transcriptionModel;
        vadThreshold = vadThreshold == null ? 0.5 : vadThreshold;
        prefixPadding = prefixPadding == null ? Duration.ofMillis(300) : prefixPadding;
        silenceDuration = silenceDuration == null ? Duration.ofMillis(300) : silenceDuration;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(15) : idleTimeout;
        maxQueued = maxQueued == null ? Duration.ofSeconds(2) : maxQueued;
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") && !scheme.equals("wss") && !scheme.equals("ws")) {
            throw new IllegalArgumentException("OpenAI Realtime's base URL must be https://, http://, wss:// or ws://, not " + baseUrl);
        }
        if (vadThreshold < 0 || vadThreshold > 1) {
            throw new IllegalArgumentException("vadThreshold must be between 0 and 1");
        }
        if (prefixPadding.isNegative() || !silenceDuration.isPositive() || !connectTimeout.isPositive() || !idleTimeout.isPositive()
                || maxQueued.toMillis() < 20) {
            throw new IllegalArgumentException("durations must be positive (prefixPadding may be zero), maxQueued at least 20 ms");
        }
    }

    /** OpenAI's endpoint and the defaults above, with {@code apiKey} as the default key. */
    public static OpenAiRealtimeConfig defaults(String apiKey) {
        return new OpenAiRealtimeConfig(null, apiKey, null, null, null, null, null, null, null, null, null);
    }

    public OpenAiRealtimeConfig withBaseUrl(URI url) {
        return new OpenAiRealtimeConfig(url, apiKey, model, voice, transcriptionModel, vadThreshold, prefixPadding, silenceDuration,
                connectTimeout, idleTimeout, maxQueued);
    }

    public OpenAiRealtimeConfig withTimeouts(Duration connect, Duration idle) {
        return new OpenAiRealtimeConfig(baseUrl, apiKey, model, voice, transcriptionModel, vadThreshold, prefixPadding, silenceDuration,
                connect, idle, maxQueued);
    }

    /** {@code wss://.../realtime?model=...}: the base URL's path kept, http(s) turned into ws(s). */
    public URI realtimeUri(String sessionModel) {
        String base = baseUrl.toString().replaceAll("/+$", "");
        if (base.regionMatches(true, 0, "https:", 0, 6)) {
            base = "wss:" + base.substring(6);
        } else if (base.regionMatches(true, 0, "http:", 0, 5)) {
            base = "ws:" + base.substring(5);
        }
        String chosen = sessionModel == null || sessionModel.isBlank() ? model : sessionModel;
        return URI.create(base + "/realtime?model=" + java.net.URLEncoder.encode(chosen, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "OpenAiRealtimeConfig[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "none" : "***")
                + ", model=" + model + ", voice=" + voice + ", transcriptionModel=" + transcriptionModel + ", vadThreshold=" + vadThreshold
                + ", prefixPadding=" + prefixPadding + ", silenceDuration=" + silenceDuration + ", connectTimeout=" + connectTimeout
                + ", idleTimeout=" + idleTimeout + ", maxQueued=" + maxQueued + "]";
    }
}
