package io.parley.runtime.speech.openai;

import io.parley.runtime.speech.SpeechToSpeech;
import java.net.http.HttpClient;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * OpenAI Realtime ({@code openai-realtime}), GA interface: one WebSocket to {@code {baseUrl}/realtime?model=...}
 * per call, with a bearer key.
 *
 * <p>The session is configured ({@code session.update}) for G.711 μ-law 8 kHz both ways ({@code audio/pcmu}),
 * so phone audio goes in and out untouched; for the caller to be transcribed; and for server voice
 * activity detection with {@code create_response} and {@code interrupt_response} both off. The server
 * then reports speech starting and stopping and commits each stretch for transcription, but never
 * answers or stops an answer by itself: our engine keeps turn-taking and barge-in (backchannels, numbers
 * said with pauses, DTMF, time limits) the same for every persona, and asks for each reply. Turning the
 * server's detection off altogether would leave no voice events and no transcripts unless we committed
 * the buffer ourselves from a VAD of our own; this way the model hears exactly the audio its detection
 * segmented, and we decide only when it speaks.
 *
 * <p>Reported to the listener: {@code input_audio_buffer.speech_started}/{@code speech_stopped} as voice
 * activity; {@code conversation.item.input_audio_transcription.delta}/{@code completed} as interim and final
 * text, with the end of the utterance once the caller is quiet and every committed stretch is transcribed;
 * {@code response.output_audio.delta} as audio, {@code response.output_audio_transcript.delta} as the
 * reply's words, {@code response.function_call_arguments.done} as a tool call (named by the preceding
 * {@code response.output_item.added}), {@code response.done} as the reply's end (its {@code status}
 * {@code failed} as a failure) and its {@code usage}. An {@code error} naming a reply's {@code response.create}
 * fails that reply; one naming the {@code session.update}, a refused handshake, a close the server starts or
 * a broken socket break the session. A reply the server says nothing about for {@link OpenAiRealtimeConfig#idleTimeout()}
 * fails and is cancelled.
 *
 * <p>Asked of the session: {@code response.create} for a reply (named in its {@code metadata}), the same with
 * instructions to say a given line word for word, {@code response.cancel}, {@code conversation.item.truncate}
 * at the audio the caller heard, {@code conversation.item.create} of a {@code function_call_output}, and, when
 * a session starts from an earlier conversation, one {@code conversation.item.create} per message (the API
 * cannot take earlier assistant audio, so the conversation is replayed as text).
 */
public final class OpenAiRealtimeSpeechToSpeech implements SpeechToSpeech, AutoCloseable {

    public static final String ID = "openai-realtime";

    private final OpenAiRealtimeConfig config;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicLong sessionNumber = new AtomicLong();

    public OpenAiRealtimeSpeechToSpeech(OpenAiRealtimeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("s2s-openai-io-", 0).factory());
        this.client = HttpClient.newBuilder().executor(executor).connectTimeout(config.connectTimeout()).build();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Session open(SessionSettings settings, Listener listener) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listener, "listener");
        String apiKey = settings.apiKey() != null && !settings.apiKey().isBlank() ? settings.apiKey() : config.apiKey();
        OpenAiRealtimeSession session = new OpenAiRealtimeSession(client, config, apiKey, settings, listener, executor,
                "s2s-openai-" + sessionNumber.incrementAndGet());
        session.start();
        return session;
    }

    OpenAiRealtimeConfig config() {
        return config;
    }

    /** Stops the HTTP client; open sessions break (and report it). */
    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }
}
