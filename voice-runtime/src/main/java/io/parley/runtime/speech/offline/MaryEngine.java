package io.parley.runtime.speech.offline;

import java.util.Set;
import javax.sound.sampled.AudioInputStream;
import marytts.LocalMaryInterface;
import marytts.exceptions.MaryConfigurationException;

/**
 * What {@link MaryTextToSpeech} needs of MaryTTS: its voices, and one sentence's audio as a stream.
 * A seam, so tests can also give it an engine that fails to load or stalls; production uses
 * {@link #local()}.
 */
interface MaryEngine {

    /** The voice names this engine has. */
    Set<String> voices();

    /**
     * Starts speaking {@code sentence} with {@code voice} and returns its audio (16-bit PCM, mono), to
     * be read to the end or abandoned. Called from the adapter's worker threads, one call per thread
     * at a time.
     */
    AudioInputStream generate(String sentence, String voice) throws Exception;

    /**
     * MaryTTS in this JVM, started if it is not (3–7 s: it reads the English lexicon, the POS tagger and
     * the voice's trees). MaryTTS is a JVM-wide singleton, so a second engine shares the first one's
     * startup, and no engine shuts it down (MaryTTS does that in its own shutdown hook).
     */
    static MaryEngine local() throws MaryConfigurationException {
        LocalMaryInterface probe = new LocalMaryInterface();
        Set<String> voices = Set.copyOf(probe.getAvailableVoices());
        // LocalMaryInterface keeps the chosen voice in a field: one per thread, cheap once MaryTTS is up
        ThreadLocal<LocalMaryInterface> perThread = ThreadLocal.withInitial(() -> {
            try {
                return new LocalMaryInterface();
            } catch (MaryConfigurationException e) {
                throw new IllegalStateException("MaryTTS stopped working", e);
            }
        });
        return new MaryEngine() {
            @Override
            public Set<String> voices() {
                return voices;
            }

            @Override
            public AudioInputStream generate(String sentence, String voice) throws Exception {
                LocalMaryInterface mary = perThread.get();
                mary.setVoice(voice);
                return mary.generateAudio(sentence);
            }
        };
    }
}
