package io.parley.runtime.media.twilio;

import io.parley.runtime.session.CallToken;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/** A fake of our own port for tests: records what the media layer hands each call, and lets a test play audio. */
final class RecordingCallHandlers implements CallHandler.Factory {

    /** Puts this fake in place of the runtime's handlers for a Spring test. */
    @org.springframework.boot.test.context.TestConfiguration
    static class Config {
        @org.springframework.context.annotation.Bean
        @org.springframework.context.annotation.Primary
        RecordingCallHandlers recordingCallHandlers() {
            return new RecordingCallHandlers();
        }
    }

    static final class Recording implements CallHandler {
        volatile CallToken token;
        volatile Outbound out;
        final List<byte[]> audio = new CopyOnWriteArrayList<>();
        final List<String> digits = new CopyOnWriteArrayList<>();
        final List<String> marks = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<String> ended = new LinkedBlockingQueue<>();

        @Override public void started(CallToken token, TwilioMessage.Start start, Outbound out) { this.token = token; this.out = out; }
        @Override public void audio(byte[] ulaw, long timestampMillis) { audio.add(ulaw); }
        @Override public void dtmf(String digit) { digits.add(digit); }
        @Override public void mark(String name) { marks.add(name); }
        @Override public void ended(String reason) { ended.add(reason); }
    }

    final LinkedBlockingQueue<Recording> created = new LinkedBlockingQueue<>();

    @Override
    public CallHandler create() {
        Recording recording = new Recording();
        created.add(recording);
        return recording;
    }
}
