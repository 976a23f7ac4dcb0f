package io.parley.runtime.speech;

import java.util.List;

/**
 * Streaming speech-to-text: a provider (Deepgram, the offline recogniser, ...) opens one stream per
 * call and reports what it hears as it hears it. Adapters hold no tenant state: everything a stream
 * needs comes in {@link StreamSettings}.
 */
public interface SpeechToText {

    /** The provider's id as personas name it, e.g. {@code deepgram}, {@code offline}. */
    String id();

    /** Opens a stream for one call; {@code listener} is called from the provider's threads, in order. */
    Stream open(StreamSettings settings, Listener listener);

    /**
     * What a stream needs.
     *
     * @param language      BCP-47 tag, e.g. {@code en-US}
     * @param expectedPhrases what the caller is likely to say now (the offline recogniser builds its grammar
     *                      from these; cloud providers may use them as keyword boosts); empty: open vocabulary
     * @param apiKey        the provider credential, if it takes one
     */
    record StreamSettings(String language, List<String> expectedPhrases, String apiKey) {}

    /** One call's audio going in. */
    interface Stream extends AutoCloseable {

        /**
         * The caller's audio as the phone network carries it, 8 kHz G.711 μ-law (one byte a sample), in
         * order, in any chunk size. A provider that needs another format converts it itself, so one that
         * takes μ-law (Deepgram) costs the call nothing.
         */
        void audio(byte[] ulaw, int offset, int length);

        /** What the caller is likely to say next (a new dialog step); providers that cannot use it ignore it. */
        default void expect(List<String> phrases) {}

        /** Ends the stream; no callbacks follow. */
        @Override
        void close();
    }

    /** What a stream reports. */
    interface Listener {

        /** The caller started or stopped speaking (voice activity as the provider sees it). */
        default void voiceActivity(boolean speaking) {}

        /** A partial hypothesis of the current utterance; may change. */
        void interim(String text);

        /** A final transcript segment; it will not change. */
        void finalText(String text);

        /** The provider thinks the caller finished their turn. */
        default void endOfUtterance() {}

        /** The stream failed and is closed; the call should carry on without it or end. */
        void failed(Exception error);
    }
}
