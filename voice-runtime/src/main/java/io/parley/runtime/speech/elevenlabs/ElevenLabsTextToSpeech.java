package io.parley.runtime.speech.elevenlabs;

import io.parley.runtime.speech.TextToSpeech;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * ElevenLabs streaming text-to-speech ({@code elevenlabs}): {@code POST
 * {baseUrl}/v1/text-to-speech/{voice_id}/stream?output_format=ulaw_8000&optimize_streaming_latency=3}
 * with {@code xi-api-key}, whose body is raw μ-law 8 kHz, passed to the sink as it arrives (pieces
 * under 20 ms are held until 20 ms have arrived). Each synthesis runs on a virtual thread of its own.
 *
 * <p>The request is {@code {"text", "model_id", "voice_settings", "language_code"}}: the model is
 * the voice's {@code model_id} (or {@code model}) setting, else the configured one; {@code
 * voice_settings} takes the voice's {@code stability}, {@code similarity_boost}, {@code style},
 * {@code use_speaker_boost} and {@code speed} settings (camelCase works too, as does a nested {@code
 * voice_settings} map) and is left out when there are none, so the voice's own settings apply;
 * {@code language_code} (ISO 639-1, from the voice's language) is sent to the v2.5 models, the only
 * ones that accept it. Blank text completes at once, without a request. Error responses fail the
 * synthesis with an {@link ElevenLabsException} carrying the status and ElevenLabs' message.
 */
public final class ElevenLabsTextToSpeech implements TextToSpeech, AutoCloseable {

    public static final String ID = "elevenlabs";

    private static final Set<String> VOICE_SETTINGS = Set.of("stability", "similarity_boost", "style", "use_speaker_boost", "speed");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ElevenLabsConfig config;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicLong synthesisNumber = new AtomicLong();

    public ElevenLabsTextToSpeech(ElevenLabsConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tts-elevenlabs-io-", 0).factory());
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(config.connectTimeout()).build();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Synthesis synthesize(String text, Voice voice, AudioSink sink) {
        Objects.requireNonNull(sink, "sink");
        Voice v = voice == null ? new Voice(null, null, Map.of(), null) : voice;
        String apiKey = v.apiKey() != null && !v.apiKey().isBlank() ? v.apiKey() : config.apiKey();
        HttpRequest request = null;
        ElevenLabsException refused = null;
        if (apiKey == null || apiKey.isBlank()) {
            refused = new ElevenLabsException("No ElevenLabs API key: neither the voice nor the configuration has one", -1, null, null);
        } else if (text != null && !text.isBlank()) {
            request = request(text, v, apiKey);
        }
        ElevenLabsSynthesis synthesis = new ElevenLabsSynthesis(client, request, refused, config.idleTimeout(), sink);
        synthesis.start("tts-elevenlabs-" + synthesisNumber.incrementAndGet());
        return synthesis;
    }

    /** Stops the HTTP client; syntheses in flight fail. */
    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }

    HttpRequest request(String text, Voice voice, String apiKey) {
        String voiceId = voice.voiceId() == null || voice.voiceId().isBlank() ? config.defaultVoiceId() : voice.voiceId();
        URI uri = URI.create(config.baseUrl().toString().replaceAll("/+$", "") + "/v1/text-to-speech/"
                + URLEncoder.encode(voiceId, StandardCharsets.UTF_8).replace("+", "%20")
                + "/stream?output_format=ulaw_8000&optimize_streaming_latency=" + config.optimizeStreamingLatency());
        return HttpRequest.newBuilder(uri)
                .timeout(config.idleTimeout())
                .header("xi-api-key", apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body(text, voice)), StandardCharsets.UTF_8))
                .build();
    }

    Map<String, Object> body(String text, Voice voice) {
        String model = config.model();
        Map<String, Object> voiceSettings = new LinkedHashMap<>();
        Map<String, Object> settings = voice.settings() == null ? Map.of() : voice.settings();
        for (Map.Entry<String, Object> setting : settings.entrySet()) {
            String key = snakeCase(setting.getKey());
            Object value = setting.getValue();
            if ((key.equals("model_id") || key.equals("model")) && value instanceof String m && !m.isBlank()) {
                model = m;
            } else if (key.equals("voice_settings") && value instanceof Map<?, ?> nested) {
                nested.forEach((k, v) -> {
                    if (VOICE_SETTINGS.contains(snakeCase(String.valueOf(k))) && v != null) {
                        voiceSettings.put(snakeCase(String.valueOf(k)), v);
                    }
                });
            } else if (VOICE_SETTINGS.contains(key) && value != null) {
                voiceSettings.put(key, value);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        body.put("model_id", model);
        if (!voiceSettings.isEmpty()) {
            body.put("voice_settings", voiceSettings);
        }
        String language = voice.language();
        if (language != null && !language.isBlank() && model.contains("_v2_5")) {
            body.put("language_code", language.split("[-_]", 2)[0].toLowerCase(Locale.ROOT));
        }
        return body;
    }

    private static String snakeCase(String key) {
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
