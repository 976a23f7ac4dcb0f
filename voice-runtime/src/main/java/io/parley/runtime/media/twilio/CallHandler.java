package io.parley.runtime.media.twilio;

import io.parley.runtime.session.CallToken;

/**
 * What runs a call once its stream is verified: the conversation side of the bridge. The media
 * layer calls it from the socket's thread, in message order; it must not block.
 */
public interface CallHandler {

    /** The stream started and its token is valid; {@code out} sends audio, marks and clear to the caller. */
    void started(CallToken token, TwilioMessage.Start start, Outbound out);

    /** 20 ms of caller audio (μ-law 8 kHz), in order, without duplicates. */
    void audio(byte[] ulaw, long timestampMillis);

    void dtmf(String digit);

    /** Playback reached a mark this call sent (or a {@code clear} dropped it). */
    void mark(String name);

    /** The stream ended: by Twilio's {@code stop}, or the socket closed or failed. Called once. */
    void ended(String reason);

    /** Makes a handler per call. */
    interface Factory {
        CallHandler create();
    }
}
