package io.parley.runtime.speech.offline;

import io.parley.runtime.speech.TextToSpeech;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The offline voice, as personas name it ({@code offline}): MaryTTS's natural voice when it is on and
 * loaded, FreeTTS's robotic one otherwise. The choice, per synthesis:
 *
 * <ul>
 *   <li>the voice id names a FreeTTS voice ({@code kevin16}, {@code kevin}): FreeTTS, as asked;
 *   <li>MaryTTS is off, or failed to load: FreeTTS's default voice;
 *   <li>otherwise MaryTTS (its default voice unless the id names one of its own). While MaryTTS is still
 *       loading the synthesis waits for it, rather than start the call in one voice and go on in
 *       another; a load that fails sends the waiting syntheses to FreeTTS.
 * </ul>
 *
 * <p>A persona that wants FreeTTS whatever happens names the provider {@code offline-fast}
 * ({@link FreeTtsTextToSpeech}). Neither choice blocks the caller's thread.
 */
public final class OfflineTextToSpeech implements TextToSpeech, AutoCloseable {

    public static final String ID = "offline";

    private final MaryTextToSpeech natural;
    private final FreeTtsTextToSpeech fast;

    /**
     * @param natural MaryTTS, owned (closed) by this provider; {@code null} when it is off. Loading starts
     *                with the first synthesis that wants it unless the caller started it already
     * @param fast    FreeTTS, not owned: it is a provider of its own ({@code offline-fast})
     */
    public OfflineTextToSpeech(MaryTextToSpeech natural, FreeTtsTextToSpeech fast) {
        this.natural = natural;
        this.fast = Objects.requireNonNull(fast, "fast");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Synthesis synthesize(String text, Voice voice, AudioSink sink) {
        Objects.requireNonNull(sink, "sink");
        String voiceId = voice == null || voice.voiceId() == null ? null : voice.voiceId().strip().toLowerCase(Locale.ROOT);
        if (voiceId != null && FreeTtsTextToSpeech.VOICES.contains(voiceId)) {
            return fast.synthesize(text, voice, sink);
        }
        if (natural == null) {
            return fast.synthesize(text, fastDefault(voice), sink);
        }
        CompletableFuture<Void> loaded = natural.load();
        if (loaded.isDone()) {
            return loaded.isCompletedExceptionally() ? fast.synthesize(text, fastDefault(voice), sink) : natural.synthesize(text, voice, sink);
        }
        Deferred deferred = new Deferred(text, sink);
        loaded.whenComplete((ok, error) -> {
            if (error == null) {
                deferred.start(natural, voice);
            } else {
                deferred.start(fast, fastDefault(voice));
            }
        });
        return deferred;
    }

    /**
     * Where a synthesis with the persona's default voice goes now: MaryTTS's id once it is loaded, else
     * FreeTTS's (while MaryTTS loads such a synthesis would wait for it). Does not start loading.
     */
    public String currentEngine() {
        return natural != null && natural.ready() ? MaryTextToSpeech.ID : FreeTtsTextToSpeech.ID;
    }

    /** Stops MaryTTS's workers (FreeTTS is closed by whoever made it). */
    @Override
    public void close() {
        if (natural != null) {
            natural.close();
        }
    }

    /** The persona's voice for FreeTTS: its default voice (a MaryTTS voice name means nothing there), the same settings. */
    private static Voice fastDefault(Voice voice) {
        return voice == null ? null : new Voice(null, voice.language(), voice.settings(), voice.apiKey());
    }

    /** A synthesis waiting for MaryTTS to load; cancelling it before then means it never starts. */
    private static final class Deferred implements Synthesis {
        private final String text;
        private final AudioSink sink;
        private final Object lock = new Object();
        private boolean cancelled; // guarded by lock
        private Synthesis started; // guarded by lock

        Deferred(String text, AudioSink sink) {
            this.text = text;
            this.sink = sink;
        }

        void start(TextToSpeech provider, Voice voice) {
            synchronized (lock) {
                if (cancelled) {
                    return;
                }
                try {
                    started = provider.synthesize(text, voice, sink); // returns at once; audio comes from its threads
                } catch (RuntimeException e) {
                    cancelled = true;
                    sink.failed(e);
                }
            }
        }

        @Override
        public void cancel() {
            Synthesis running;
            synchronized (lock) {
                cancelled = true;
                running = started;
            }
            if (running != null) {
                running.cancel();
            }
        }
    }
}
