package io.parley.runtime.speech.deepgram;

import io.parley.runtime.speech.SpeechToText;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deepgram live transcription ({@code deepgram}): one WebSocket to {@code /v1/listen} per stream.
 *
 * <p>Audio is sent as it arrives from the phone, 8 kHz μ-law ({@code encoding=mulaw&sample_rate=8000}),
 * untouched, in binary frames of up to 100 ms. The thread that hands
 * audio over only copies it into a bounded queue (the oldest is dropped when it is full, and
 * counted); a virtual thread per stream connects, sends the audio, a {@code KeepAlive} after
 * {@link DeepgramConfig#keepAliveInterval()} without any, and {@code CloseStream} on close.
 * Deepgram's messages are read on the HTTP client's virtual threads and reported in order:
 * {@code SpeechStarted} as voice activity, {@code Results} as interim or final text ({@code
 * speech_final} also ends the utterance), {@code UtteranceEnd} as the end of voice activity and
 * (unless {@code speech_final} already said so) of the utterance. A refused handshake, an {@code
 * Error} message, a close Deepgram starts, or {@link DeepgramConfig#idleTimeout()} without a reply
 * to audio fails the stream.
 *
 * <p>{@link StreamSettings#expectedPhrases()} are sent once, when the stream opens, as {@code
 * keywords} (nova-2 and older: the phrases' distinct words) or {@code keyterm} (nova-3: the phrases).
 * Deepgram cannot change them on an open socket, so {@link Stream#expect} is ignored.
 */
public final class DeepgramSpeechToText implements SpeechToText, AutoCloseable {

    public static final String ID = "deepgram";

    /** Sent as keywords they would only skew recognition. */
    private static final Set<String> COMMON_WORDS = Set.of("a", "an", "and", "are", "at", "be", "do", "for", "i", "in", "is", "it",
            "me", "my", "of", "on", "or", "so", "that", "the", "this", "to", "you", "your");
    private static final int MAX_KEYWORDS = 50;

    private final DeepgramConfig config;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicLong streamNumber = new AtomicLong();

    public DeepgramSpeechToText(DeepgramConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("stt-deepgram-io-", 0).factory());
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(config.connectTimeout()).build();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Stream open(StreamSettings settings, Listener listener) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listener, "listener");
        String apiKey = settings.apiKey() != null && !settings.apiKey().isBlank() ? settings.apiKey() : config.apiKey();
        DeepgramStream stream = new DeepgramStream(client, config, listenUri(settings), apiKey, listener,
                "stt-deepgram-" + streamNumber.incrementAndGet());
        stream.start();
        return stream;
    }

    /** Stops the HTTP client; open streams break (and report it). */
    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }

    DeepgramConfig config() {
        return config;
    }

    /** {@code {baseUrl}/v1/listen?...} for one stream. */
    URI listenUri(StreamSettings settings) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("encoding", "mulaw");
        query.put("sample_rate", Integer.toString(DeepgramStream.SAMPLE_RATE));
        query.put("channels", "1");
        query.put("interim_results", "true");
        query.put("endpointing", Long.toString(config.endpointing().toMillis()));
        query.put("utterance_end_ms", Long.toString(config.utteranceEnd().toMillis()));
        query.put("vad_events", "true");
        query.put("smart_format", "true");
        String language = settings.language() == null || settings.language().isBlank() ? config.defaultLanguage() : settings.language();
        query.put("language", language);
        query.put("model", config.model());
        StringBuilder uri = new StringBuilder(config.baseUrl().toString().replaceAll("/+$", "")).append("/v1/listen");
        char separator = '?';
        for (Map.Entry<String, String> entry : query.entrySet()) {
            uri.append(separator).append(entry.getKey()).append('=').append(encode(entry.getValue()));
            separator = '&';
        }
        if (config.keywordBoosting()) {
            boolean keyterms = config.model().toLowerCase(Locale.ROOT).startsWith("nova-3");
            for (String term : keyterms ? keyterms(settings.expectedPhrases()) : keywords(settings.expectedPhrases())) {
                uri.append(keyterms ? "&keyterm=" : "&keywords=").append(encode(term));
            }
        }
        return URI.create(uri.toString());
    }

    /** The phrases' distinct words, lower case, without punctuation or the commonest words. */
    static List<String> keywords(List<String> phrases) {
        Set<String> words = new LinkedHashSet<>();
        for (String phrase : phrases == null ? List.<String>of() : phrases) {
            for (String word : phrase.toLowerCase(Locale.ROOT).split("\\s+")) {
                String clean = word.replaceAll("[^\\p{L}\\p{N}'-]", "");
                if (!clean.isEmpty() && !COMMON_WORDS.contains(clean) && words.size() < MAX_KEYWORDS) {
                    words.add(clean);
                }
            }
        }
        return List.copyOf(words);
    }

    /** The phrases themselves, trimmed and distinct. */
    static List<String> keyterms(List<String> phrases) {
        Set<String> terms = new LinkedHashSet<>();
        for (String phrase : phrases == null ? List.<String>of() : phrases) {
            String clean = phrase.strip().replaceAll("\\s+", " ");
            if (!clean.isEmpty() && terms.size() < MAX_KEYWORDS) {
                terms.add(clean);
            }
        }
        return List.copyOf(terms);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
