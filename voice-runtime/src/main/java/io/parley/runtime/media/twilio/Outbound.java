package io.parley.runtime.media.twilio;

/** Audio and control towards the caller, paced at real time. */
public interface Outbound {

    /** Queues μ-law 8 kHz audio; after its last frame is sent, sends a mark named {@code markAfter} (if not null). */
    void play(byte[] ulaw, String markAfter);

    /** Drops every queued frame and tells Twilio to flush what it buffered: the barge-in primitive. */
    void clear();

    /** Ends the stream: the socket closes normally and Twilio carries on with the TwiML after {@code <Connect>}. */
    void hangUp(String reason);

    /** Milliseconds of audio queued here and not yet sent. */
    long queuedMillis();
}
