package io.parley.runtime.speech.openai;

import io.parley.runtime.speech.TextToSpeech;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI text-to-speech ({@code openai}): {@code POST {baseUrl}/v1/audio/speech} with a bearer key
 * and {@code {"model", "voice", "input", "response_format": "pcm"}}. OpenAI streams {@code pcm} as raw
 * 24 kHz 16-bit little-endian mono; it is converted as it arrives (low-pass and decimation by three,
 * {@link Decimator24kTo8k}, then G.711 μ-law) and passed to the sink in pieces of at least 20 ms.
 * Each synthesis runs on a virtual thread of its own.
 *
 * <p>The voice's {@code voiceId} is OpenAI's voice name ({@code alloy}, {@code coral}, ...). Its
 * settings may name the {@code model}, a {@code speed} (0.25 to 4) and, for the gpt-4o models, {@code
 * instructions} (how to speak). Blank text completes at once, without a request. Error responses fail
 * the synthesis with an {@link OpenAiException} carrying the status and OpenAI's message.
 */
public final class OpenAiTextToSpeech implements TextToSpeech, AutoCloseable {

    public static final String ID = "openai";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final OpenAiTtsConfig config;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicLong synthesisNumber = new AtomicLong();

    public OpenAiTextToSpeech(OpenAiTtsConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tts-openai-io-", 0).factory());
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
        OpenAiException refused = null;
        if (apiKey == null || apiKey.isBlank()) {
            refused = new OpenAiException("No OpenAI API key: neither the voice nor the configuration has one", -1, null, null);
        } else if (text != null && !text.isBlank()) {
            request = request(text, v, apiKey);
        }
        OpenAiSynthesis synthesis = new OpenAiSynthesis(client, request, refused, config.idleTimeout(), sink);
        synthesis.start("tts-openai-" + synthesisNumber.incrementAndGet());
        return synthesis;
    }

    /** Stops the HTTP client; syntheses in flight fail. */
    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }

    HttpRequest request(String text, Voice voice, String apiKey) {
        URI uri = URI.create(config.baseUrl().toString().replaceAll("/+$", "") + "/v1/audio/speech");
        return HttpRequest.newBuilder(uri)
                .timeout(config.idleTimeout())
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body(text, voice)), StandardCharsets.UTF_8))
                .build();
    }

    Map<String, Object> body(String text, Voice voice) {
        Map<String, Object> settings = voice.settings() == null ? Map.of() : voice.settings();
        String model = settings.get("model") instanceof String m && !m.isBlank() ? m : config.model();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("voice", voice.voiceId() == null || voice.voiceId().isBlank() ? config.defaultVoice() : voice.voiceId());
        body.put("input", text);
        body.put("response_format", "pcm");
        if (settings.get("speed") instanceof Number speed) {
            body.put("speed", speed);
        }
        if (settings.get("instructions") instanceof String instructions && !instructions.isBlank()
                && !model.toLowerCase(Locale.ROOT).startsWith("tts-1")) {
            body.put("instructions", instructions);
        }
        return body;
    }
}
