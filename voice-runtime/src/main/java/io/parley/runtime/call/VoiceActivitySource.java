package io.parley.runtime.call;

import java.util.Locale;

/**
 * Who says when the caller starts and stops speaking, which drives barge-in and endpointing
 * ({@code parley.runtime.voice-activity}).
 */
public enum VoiceActivitySource {
    /** The speech-to-text provider's voice events (Deepgram's {@code SpeechStarted}, ...): no CPU here. */
    PROVIDER,
    /**
     * The runtime's own detector on the caller's μ-law ({@link io.parley.runtime.media.VoiceActivityDetector}):
     * the same for every provider, and no network hop before a barge-in; costs CPU per inbound frame.
     * The provider's voice events are then ignored; its transcripts are not.
     */
    ON_BOX;

    /** {@code provider} or {@code on-box} (case and {@code -}/{@code _} do not matter). */
    public static VoiceActivitySource parse(String value) {
        String normal = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (VoiceActivitySource source : values()) {
            if (source.name().equals(normal)) return source;
        }
        throw new IllegalArgumentException("parley.runtime.voice-activity must be provider or on-box, not '" + value + "'");
    }
}
