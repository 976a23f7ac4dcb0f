package io.parley.runtime.media.twilio;

/** Audio and control towards the caller, paced at real time. */
public interface Outbound {

    /** Queues μ-law 8 kHz audio; after its last frame is sent, sends a mark named {@code markAfter} (if not null). */
    void play(byte[] ulaw, String markAfter);

    /** Drops every queued frame and tells Twilio to flush what it buffered: the barge-in primitive. */
    void clear();

    /**
     * Stops the caller hearing us at once but keeps what they have not heard: tells Twilio to flush its
     * buffer and holds the audio that was in it, and everything queued after it, until {@link #resume()}
     * sends it again or {@link #clear()} drops it. The echo of a held mark that Twilio returns on the flush is
     * not reported; the mark is reported when the audio before it has been heard after all.
     */
    void pause();

    /** Sends what {@link #pause()} held, from where the caller stopped hearing it, at real time. */
    void resume();

    /** Ends the stream: the socket closes normally and Twilio carries on with the TwiML after {@code <Connect>}. */
    void hangUp(String reason);

    /** Milliseconds of audio queued here and not yet sent. */
    long queuedMillis();
}
