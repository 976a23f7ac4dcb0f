package io.parley.runtime.media.twilio;

import java.util.Map;

/**
 * The messages Twilio sends over a Media Streams WebSocket (see shared/MEDIA_STREAMS.md). Every one
 * but {@link Connected} carries the stream's sid and a sequence number.
 */
public sealed interface TwilioMessage {

    /** First message: the protocol and its version. */
    record Connected(String protocol, String version) implements TwilioMessage {}

    /** The stream began: who, which call, the custom parameters from TwiML (our call token), the audio format. */
    record Start(long sequence, String streamSid, String accountSid, String callSid, Map<String, String> customParameters,
                 String encoding, int sampleRate, int channels) implements TwilioMessage {}

    /** 20 ms of caller audio, μ-law 8 kHz; {@code chunk} counts from 1, {@code timestampMillis} from the start. */
    record Media(long sequence, String streamSid, String track, long chunk, long timestampMillis, byte[] payload) implements TwilioMessage {}

    /** A key pressed by the caller. */
    record Dtmf(long sequence, String streamSid, String digit) implements TwilioMessage {}

    /** Playback reached a mark we sent (or {@code clear} dropped it). */
    record Mark(long sequence, String streamSid, String name) implements TwilioMessage {}

    /** Last message: the stream ended. */
    record Stop(long sequence, String streamSid, String callSid) implements TwilioMessage {}
}
