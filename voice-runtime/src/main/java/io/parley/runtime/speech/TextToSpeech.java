package io.parley.runtime.speech;

/**
 * Streaming text-to-speech: text in, telephone audio out as soon as its first bytes exist. Adapters
 * return μ-law 8 kHz mono (converting themselves if the vendor cannot), so the runtime sends what
 * it gets without touching it.
 */
public interface TextToSpeech {

    /** The provider's id as personas name it, e.g. {@code elevenlabs}, {@code offline}. */
    String id();

    /**
     * Starts speaking {@code text}; chunks of μ-law 8 kHz arrive on {@code sink} from the provider's
     * threads, in order, then exactly one of {@code done} or {@code failed} — unless cancelled first.
     */
    Synthesis synthesize(String text, Voice voice, AudioSink sink);

    /** How to sound: the provider's voice id and its settings (free-form, per provider). */
    record Voice(String voiceId, String language, java.util.Map<String, Object> settings, String apiKey) {}

    /** A synthesis in flight. */
    interface Synthesis {
        /** Stops it: no chunk is delivered after this returns. */
        void cancel();
    }

    /** Where audio goes. */
    interface AudioSink {
        /** μ-law 8 kHz mono; {@code ulaw} is the sink's to keep. */
        void audio(byte[] ulaw);

        void done();

        void failed(Exception error);
    }
}
