package io.parley.runtime.speech.deepgram;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach Deepgram's live transcription ({@code /v1/listen} over a WebSocket). Null arguments
 * take the defaults below; {@link #defaults(String)} is the usual start.
 *
 * @param baseUrl           {@code wss://api.deepgram.com} (tests: {@code ws://127.0.0.1:port})
 * @param apiKey            the key used when a stream's {@code StreamSettings.apiKey()} is null or blank; may be null
 * @param model             {@code nova-2}
 * @param defaultLanguage   used when a stream names no language: {@code en-US}
 * @param endpointing       silence after speech that makes Deepgram mark a result {@code speech_final}: 300 ms
 * @param utteranceEnd      gap after the last word before Deepgram sends {@code UtteranceEnd}: 1000 ms (its minimum)
 * @param connectTimeout    time allowed for the WebSocket handshake: 5 s
 * @param idleTimeout       the stream fails if Deepgram sends nothing for this long while it has audio to answer: 15 s
 * @param keepAliveInterval a {@code KeepAlive} is sent after this long without audio (Deepgram closes a
 *                          socket after about 10 s without data): 3 s
 * @param maxQueued         audio a stream holds while the socket is connecting or slow; beyond it the oldest
 *                          is dropped (and counted): 2 s
 * @param keywordBoosting   send the stream's expected phrases as {@code keywords} ({@code keyterm} for nova-3): true
 */
public record DeepgramConfig(URI baseUrl, String apiKey, String model, String defaultLanguage, Duration endpointing,
                             Duration utteranceEnd, Duration connectTimeout, Duration idleTimeout, Duration keepAliveInterval,
                             Duration maxQueued, Boolean keywordBoosting) {

    public static final URI DEFAULT_BASE_URL = URI.create("wss://api.deepgram.com");

    public DeepgramConfig {
        baseUrl = baseUrl == null ? DEFAULT_BASE_URL : baseUrl;
        model = model == null || model.isBlank() ? "nova-2" : model;
        defaultLanguage = defaultLanguage == null || defaultLanguage.isBlank() ? "en-US" : defaultLanguage;
        endpointing = endpointing == null ? Duration.ofMillis(300) : endpointing;
        utteranceEnd = utteranceEnd == null ? Duration.ofMillis(1000) : utteranceEnd;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(15) : idleTimeout;
        keepAliveInterval = keepAliveInterval == null ? Duration.ofSeconds(3) : keepAliveInterval;
        maxQueued = maxQueued == null ? Duration.ofSeconds(2) : maxQueued;
        keywordBoosting = keywordBoosting == null || keywordBoosting;
        String scheme = baseUrl.getScheme();
        if (!"wss".equalsIgnoreCase(scheme) && !"ws".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("Deepgram's base URL must be ws:// or wss://, not " + baseUrl);
        }
        if (endpointing.isNegative() || utteranceEnd.toMillis() < 1000) {
            throw new IllegalArgumentException("endpointing must not be negative and utteranceEnd must be at least 1000 ms");
        }
        if (!connectTimeout.isPositive() || !idleTimeout.isPositive() || !keepAliveInterval.isPositive()
                || maxQueued.toMillis() < 20) {
            throw new IllegalArgumentException("timeouts and the keep-alive interval must be positive, maxQueued at least 20 ms");
        }
    }

    /** Deepgram's endpoint, {@code nova-2} and the defaults above, with {@code apiKey} as the default key. */
    public static DeepgramConfig defaults(String apiKey) {
        return new DeepgramConfig(null, apiKey, null, null, null, null, null, null, null, null, null);
    }

    public DeepgramConfig withBaseUrl(URI url) {
        return new DeepgramConfig(url, apiKey, model, defaultLanguage, endpointing, utteranceEnd, connectTimeout, idleTimeout,
                keepAliveInterval, maxQueued, keywordBoosting);
    }

    public DeepgramConfig withTimeouts(Duration connect, Duration idle, Duration keepAlive) {
        return new DeepgramConfig(baseUrl, apiKey, model, defaultLanguage, endpointing, utteranceEnd, connect, idle, keepAlive,
                maxQueued, keywordBoosting);
    }

    public DeepgramConfig withMaxQueued(Duration queued) {
        return new DeepgramConfig(baseUrl, apiKey, model, defaultLanguage, endpointing, utteranceEnd, connectTimeout, idleTimeout,
                keepAliveInterval, queued, keywordBoosting);
    }
}
