package io.parley.runtime.bench;

import io.parley.runtime.media.Mulaw;
import io.parley.runtime.speech.TextToSpeech;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Text-to-speech fake: a 400 Hz tone as long as the text (40 ms a character), in 200 ms chunks, the
 * first after the configured first-byte latency and the rest four times faster than real time. The
 * greeting is cached (as a production greeting cache would): from its second synthesis on it is
 * delivered at once. Every 20 ms frame starts with a tag (synthesis id, frame index, magic) so the
 * emulated caller can tell which sentence, and which frame of it, each media message carries.
 */
final class FakeVoice implements TextToSpeech {

    static final String ID = "bench";
    static final int FRAME_BYTES = 160;
    static final int MILLIS_PER_CHAR = 40;
    static final int CHUNK_FRAMES = 10;
    static final byte MAGIC_1 = 0x5A;
    static final byte MAGIC_2 = (byte) 0xA5;
    static final byte[] TONE = tone();

    private final Truth truth;
    private final Latencies latencies;
    private final ScheduledExecutorService clock;
    private final AtomicInteger synthIds = new AtomicInteger();
    private final Set<String> cacheable = ConcurrentHashMap.newKeySet();
    private final Set<String> cached = ConcurrentHashMap.newKeySet();

    FakeVoice(Truth truth, Latencies latencies, ScheduledExecutorService clock) {
        this.truth = truth;
        this.latencies = latencies;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    /** Texts (the greetings) kept once synthesised. */
    void cache(String text) {
        cacheable.add(text);
    }

    @Override
    public Synthesis synthesize(String text, Voice voice, AudioSink sink) {
        long called = System.nanoTime();
        int id = synthIds.incrementAndGet();
        Truth.Call call = truth.call(Truth.keyOfLanguage(voice.language()));
        Truth.Turn turn = null;
        if (call != null) {
            call.lastSynthId = id;
            Truth.Turn last = call.lastHeard;
            if (last != null && last.llmCalled != 0 && last.firstSynthId == 0) {
                last.ttsCalled = called;
                last.firstSynthId = id;
                turn = last;
            }
        }
        int frames = Math.max(1, (text.length() * MILLIS_PER_CHAR + 10) / 20);
        boolean hit = cached.contains(text);
        long first = hit ? 0 : latencies.ttsFirstByteNanos();
        long gap = hit ? 0 : latencies.ttsChunkGapNanos(CHUNK_FRAMES * 20L);
        Speech speech = new Speech();
        Truth.Turn firstOf = turn;
        if (gap == 0) {
            clock.schedule(() -> {
                for (int f = 0; f < frames; f += CHUNK_FRAMES) {
                    if (!speech.audio(f == 0 ? firstOf : null, chunk(id, f, Math.min(CHUNK_FRAMES, frames - f)), sink)) break;
                }
                finish(text, speech, sink);
            }, first, TimeUnit.NANOSECONDS);
        } else {
            for (int f = 0; f < frames; f += CHUNK_FRAMES) {
                int start = f;
                boolean last = f + CHUNK_FRAMES >= frames;
                clock.schedule(() -> {
                    speech.audio(start == 0 ? firstOf : null, chunk(id, start, Math.min(CHUNK_FRAMES, frames - start)), sink);
                    if (last) finish(text, speech, sink);
                }, first + (f / CHUNK_FRAMES) * gap, TimeUnit.NANOSECONDS);
            }
        }
        return speech;
    }

    /** The whole text was synthesised (even if the listener cancelled meanwhile): a cacheable one is kept. */
    private void finish(String text, Speech speech, AudioSink sink) {
        speech.done(sink);
        if (cacheable.contains(text)) cached.add(text);
    }

    static byte[] chunk(int synthId, int firstFrame, int frames) {
        byte[] audio = new byte[frames * FRAME_BYTES];
        for (int f = 0; f < frames; f++) {
            int at = f * FRAME_BYTES;
            System.arraycopy(TONE, 0, audio, at, FRAME_BYTES);
            int index = firstFrame + f;
            audio[at] = (byte) (synthId >>> 24);
            audio[at + 1] = (byte) (synthId >>> 16);
            audio[at + 2] = (byte) (synthId >>> 8);
            audio[at + 3] = (byte) synthId;
            audio[at + 4] = (byte) (index >>> 8);
            audio[at + 5] = (byte) index;
            audio[at + 6] = MAGIC_1;
            audio[at + 7] = MAGIC_2;
        }
        return audio;
    }

    /** 20 ms of a 400 Hz tone at about -10 dBFS in μ-law (eight whole periods, so frames join smoothly). */
    static byte[] tone() {
        byte[] frame = new byte[FRAME_BYTES];
        for (int i = 0; i < FRAME_BYTES; i++) {
            frame[i] = Mulaw.encode((short) Math.round(10_000 * Math.sin(2 * Math.PI * 400 * i / 8000.0)));
        }
        return frame;
    }

    /** One synthesis; nothing is delivered once cancel() returned. */
    private static final class Speech implements Synthesis {
        private boolean cancelled;

        synchronized boolean audio(Truth.Turn first, byte[] ulaw, AudioSink sink) {
            if (cancelled) return false;
            if (first != null) first.ttsFirst = System.nanoTime();
            sink.audio(ulaw);
            return true;
        }

        synchronized boolean done(AudioSink sink) {
            if (cancelled) return false;
            sink.done();
            return true;
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
        }
    }
}
